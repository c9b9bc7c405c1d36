//! Security headers on every response (pages, server functions, errors, static files), the
//! pages' Content-Security-Policy with the render's nonce, and cross-site request refusal.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{
        HeaderValue, Response, StatusCode,
        header::{self, CONTENT_SECURITY_POLICY},
    },
    middleware::Next,
    response::IntoResponse,
};
use tower_http_csrf::csrf::{CsrfLayer, ProtectionError};

use super::{csp::content_security_policy, state::AppState};
use crate::text::{Lang, t};

/// What the headers depend on, fixed at start-up.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// The cookie is `Secure` (so the site is served over HTTPS): send HSTS.
    pub https: bool,
    /// Dev mode: the pages may open cargo-leptos' live-reload WebSocket.
    pub dev: bool,
}

impl Policy {
    pub fn from_state(state: &AppState) -> Self {
        Self {
            https: state.cookies.secure,
            dev: state.dev,
        }
    }
}

/// During a page render: sets the page's CSP with the nonce Leptos gave its inline scripts.
/// (Responses without one get the nonce-less policy from [`security_headers`].)
pub fn set_page_csp() {
    use leptos::prelude::use_context;

    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let dev = use_context::<AppState>().is_some_and(|state| state.dev);
    if let Ok(value) = HeaderValue::from_str(&content_security_policy(Some(nonce.as_inner()), dev))
    {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The browser features the pages never use, turned off for them and anything they embed.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
     magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()";

/// Middleware: the security headers every response gets.
///
/// - `Content-Security-Policy` (unless the page set its own, with a nonce), `X-Frame-Options:
///   DENY` for old browsers, `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
///   `Cross-Origin-Opener-Policy` and `Cross-Origin-Resource-Policy: same-origin`, and a
///   `Permissions-Policy` that turns off what the pages never use.
/// - `Strict-Transport-Security` (one year) when the cookie is `Secure`.
/// - `Cache-Control: no-store` on every HTML page and on every server-function response (the
///   auth answers among them): pages are rendered per session, with the user and their one-time
///   flashes, and the back button must ask the server again rather than replay an old page.
///   Static files: a year and `immutable` for content-hashed names, else `no-cache` (see
///   [`super::assets`]).
pub async fn security_headers(
    State(policy): State<Policy>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let api = request.uri().path().starts_with("/api/");
    let hashed = super::assets::is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    if !headers.contains_key(CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&content_security_policy(None, policy.dev))
    {
        headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A page may ask for less (the reset page: `no-referrer`, its address holds a token).
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    // No window of another site keeps a handle on ours, no other site embeds our responses,
    // and the page asks for none of the browser's powerful features.
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    if policy.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if api || (html && !headers.contains_key(header::CACHE_CONTROL)) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if !html
        && !headers.contains_key(header::CACHE_CONTROL)
        && let Some(value) = super::assets::cache_control(hashed, status)
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    response
}

/// Refuses state-changing requests that come from another site, with `403` and a plain message:
/// tower-http's CSRF layer (Go's `CrossOriginProtection`): safe methods pass; otherwise
/// `Sec-Fetch-Site` must be `same-origin` or `none`, or, from browsers without it, `Origin`
/// must name this host; requests with neither header (not from a browser) pass.
///
/// `SameSite=Lax` already keeps the session cookie off cross-site posts; this also stops
/// log-in CSRF (an attacker's page logging the victim in to the attacker's account), which
/// needs no cookie at all.
pub fn refuse_cross_site() -> CsrfLayer<fn(ProtectionError) -> Response<Body>> {
    CsrfLayer::new().with_rejection_response(cross_site_refused as fn(_) -> _)
}

fn cross_site_refused(error: ProtectionError) -> Response<Body> {
    tracing::warn!(error = ?error, "cross-site request refused");
    let mut response = (
        StatusCode::FORBIDDEN,
        format!("{}\n", t(Lang::En).http_cross_site),
    )
        .into_response();
    response.extensions_mut().insert(CrossSiteRefused);
    response
}

/// Marks [`refuse_cross_site`]'s refusal, for [`word_cross_site_refusal`].
#[derive(Clone, Copy)]
struct CrossSiteRefused;

/// Middleware (just outside [`refuse_cross_site`], which sees no request when it answers): the
/// refusal in the language the browser asks for.
pub async fn word_cross_site_refusal(request: Request, next: Next) -> Response<Body> {
    let asked = request.headers().get(header::ACCEPT_LANGUAGE).cloned();
    let response = next.run(request).await;
    if response.extensions().get::<CrossSiteRefused>().is_none() {
        return response;
    }
    let mut headers = axum::http::HeaderMap::new();
    if let Some(asked) = asked {
        headers.insert(header::ACCEPT_LANGUAGE, asked);
    }
    let words = t(Lang::of_headers(&headers)).http_cross_site;
    (StatusCode::FORBIDDEN, format!("{words}\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn policy_allows_nonced_scripts_and_wasm_only() {
        let csp = content_security_policy(Some("abc"), false);
        assert!(
            csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        for directive in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{directive}: {csp}");
        }
        assert!(!csp.contains("ws:"), "live reload only in dev: {csp}");
    }
}
