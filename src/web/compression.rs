//! Compression of what the server renders.
//!
//! Pages and server-function answers differ per response (a nonce, the visitor's flashes), so
//! they are compressed per response, when the client accepts it: brotli or gzip at a fast level
//! (a page is a few kilobytes; brotli 4 shrinks `/login` about four times for tens of
//! microseconds).
//!
//! Static files (the JavaScript, the WebAssembly, the stylesheet) are never compressed per
//! request: `cargo leptos build --release --precompress` writes a `.br` and a `.gz` beside each
//! one, and leptos_axum's file handler sends those to clients that accept them (with
//! `Content-Encoding` and `Vary: Accept-Encoding`). A debug build has none and is sent as is.
//!
//! BREACH (guessing a secret in a compressed page from its size) needs a secret that stays the
//! same across responses while attacker-chosen text is reflected beside it. Flashboard's pages
//! carry none: the session id lives only in the `HttpOnly` cookie, there are no CSRF tokens
//! (cross-site requests are refused by their Fetch Metadata), and the CSP nonce is new in every
//! response.

use axum::{
    extract::Request,
    http::{
        Extensions, HeaderMap, HeaderValue, StatusCode, Version,
        header::{CONTENT_TYPE, VARY},
    },
    middleware::Next,
    response::Response,
};
use tower_http::{CompressionLevel, compression::CompressionLayer};

type Rendered = fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool;

/// The compression layer: rendered responses only.
pub fn layer() -> CompressionLayer<Rendered> {
    CompressionLayer::new()
        .no_deflate()
        .quality(CompressionLevel::Precise(4))
        .compress_when(rendered as Rendered)
}

/// Pages and server-function answers; not static files, not empty answers.
fn rendered(status: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    let kind = headers
        .get(CONTENT_TYPE)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    status != StatusCode::NO_CONTENT
        && (kind.starts_with(b"text/html") || kind.starts_with(b"application/json"))
}

/// Middleware: every answer may depend on `Accept-Encoding` (compressed pages, precompressed
/// files), so every answer says so, for the caches between here and the browser.
pub async fn vary_on_encoding(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let named = headers.get_all(VARY).iter().any(|value| {
        value
            .to_str()
            .is_ok_and(|value| value.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !named {
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}
