//! Compression of what the server renders.
//!
//! Pages and server-function answers differ per response (a nonce, the visitor's flashes), so
//! they are compressed per response, when the client accepts gzip: in one piece (a page is
//! already whole, `web::page_body`), with libdeflate at its fastest level, by a compressor each
//! worker thread allocates once and reuses. Measured on the dashboard's 4.9 KB (README, Performance):
//! 15 us and 2,045 bytes, where tower-http's streaming brotli at quality 4 took 89 us for 1,910
//! bytes and its gzip 119 us for 2,011; most of their time was setting up a new encoder's tables
//! for every response, which on this page cost more than rendering it. Brotli is not offered
//! for these answers: the pure-Rust encoder's set-up alone (quality 1: 35 us) costs more than
//! libdeflate's whole gzip, for about 8% fewer bytes. Every browser accepts gzip.
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

use std::cell::RefCell;

use axum::{
    body::{Body, HttpBody},
    extract::Request,
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{
            ACCEPT_ENCODING, ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE,
            CONTENT_TYPE, VARY,
        },
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use libdeflater::{CompressionLvl, Compressor};

/// Answers shorter than this are sent as they are: gzip's header and trailer alone are 18
/// bytes, and a short answer fits one packet either way.
const MIN_BYTES: usize = 256;

/// Answers longer than this are sent as they are (none is; a page is a few kilobytes): the
/// compression holds the answer and its compressed copy in memory at once.
const MAX_BYTES: u64 = 1024 * 1024;

/// Middleware: gzips pages and server-function answers for clients that accept it.
pub async fn compress(request: Request, next: Next) -> Response {
    let gzip = accepts_gzip(request.headers());
    let response = next.run(request).await;
    if !gzip || !rendered(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // A body of a known length (a whole page, a server function's answer), so already in
    // memory: reading it does not wait and cannot fail.
    let bytes = match axum::body::to_bytes(body, MAX_BYTES as usize).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "an answer failed while it was read for compression");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let compressed = gzip_bytes(&bytes);
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(CONTENT_LENGTH);
    // The compressed bytes are another representation: ranges of the original do not apply.
    parts.headers.remove(ACCEPT_RANGES);
    Response::from_parts(parts, Body::from(compressed))
}

/// Pages and server-function answers, not yet encoded and not partial; not static files, not
/// empty answers, not answers too short or too long to gain (see [`MIN_BYTES`], [`MAX_BYTES`]).
fn rendered(response: &Response) -> bool {
    let headers = response.headers();
    let kind = headers
        .get(CONTENT_TYPE)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    let size = response.body().size_hint().exact();
    response.status() != StatusCode::NO_CONTENT
        && !headers.contains_key(CONTENT_ENCODING)
        && !headers.contains_key(CONTENT_RANGE)
        && size.is_some_and(|size| (MIN_BYTES as u64..=MAX_BYTES).contains(&size))
        && (kind.starts_with(b"text/html") || kind.starts_with(b"application/json"))
}

/// Whether `Accept-Encoding` allows gzip: named (`gzip`, or `x-gzip`) with a weight above zero,
/// or not named and `*` allowed. Weights as RFC 9110 gives them (`gzip;q=0` refuses it).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named = None;
    let mut any = None;
    for coding in headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
    {
        let mut fields = coding.split(';');
        let name = fields.next().unwrap_or_default().trim();
        // A weight that does not parse (`q`, `q=`, `q=x`) counts as zero, as a refusal.
        let weight = fields
            .filter_map(|field| {
                let (key, value) = field.split_once('=').unwrap_or((field, ""));
                key.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().unwrap_or(0.0))
            })
            .next_back()
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            named = Some(named.unwrap_or(0.0_f32).max(weight));
        } else if name == "*" {
            any = Some(weight);
        }
    }
    named.or(any).is_some_and(|weight| weight > 0.0)
}

/// libdeflate's fastest level that compresses (0 stores): on the dashboard 2,045 bytes in 15
/// us, where level 6 gave 2,006 in 26 us.
const LEVEL: i32 = 1;

thread_local! {
    /// Each worker thread's compressor, allocated once (libdeflate still clears its hash
    /// table for each answer).
    static COMPRESSOR: RefCell<Compressor> = RefCell::new(Compressor::new(
        CompressionLvl::new(LEVEL).expect("1 is one of libdeflate's levels"),
    ));
}

/// `bytes` as a gzip member.
fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    COMPRESSOR.with(|compressor| {
        let mut compressor = compressor.borrow_mut();
        let mut out = vec![0; compressor.gzip_compress_bound(bytes.len())];
        let written = compressor
            .gzip_compress(bytes, &mut out)
            .expect("the bound gzip_compress_bound gives always suffices");
        out.truncate(written);
        out
    })
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn accepts(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_used_when_the_client_allows_it() {
        for yes in [
            "gzip",
            "GZIP",
            "gzip, deflate, br, zstd",
            "br;q=1.0, gzip;q=0.8",
            "x-gzip",
            "*",
            "br, *;q=0.5",
            "gzip;q=0, gzip;q=0.5",
        ] {
            assert!(accepts(yes), "{yes}");
        }
        for no in [
            "br",
            "identity",
            "gzip;q=0",
            "gzip; q=0.0",
            "*;q=0",
            "*, gzip;q=0",
            "",
        ] {
            assert!(!accepts(no), "{no}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn what_is_compressed_comes_back_whole() {
        let page = "<p>Flashboard</p>".repeat(500);
        let compressed = gzip_bytes(page.as_bytes());
        assert!(compressed.len() < page.len() / 10, "{}", compressed.len());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, page);
        // The compressor is reused: a second answer is not mixed with the first.
        let other = gzip_bytes(b"another answer, another answer, another answer");
        let mut back = String::new();
        flate2::read::GzDecoder::new(&other[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, "another answer, another answer, another answer");
    }
}
