//! Which language a request is answered in (see `text::lang`): decided once, after the session
//! is available (inside the log-in guard, which must see the cookie before the session loads), and left in the request's extensions for the render, the server functions and
//! the middleware inside this one ([`Lang::of_request`]).
//!
//! The visitor's explicit choice (the `lang` of the saved preferences, in the session or the
//! visitor cookie) comes first, then `Accept-Language`, then English. HTML answers say which
//! they got (`Content-Language`) and that it depends on `Accept-Language` (`Vary`).

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

use crate::{preferences, session::visitor::Visitor, text::Lang};

/// Middleware (inside the session layer): decides the request's language.
pub async fn choose(session: Session, mut request: Request, next: Next) -> Response {
    // The site's files neither read the session nor show words (a missing one's 404 page
    // follows `Accept-Language`).
    let path = request.uri().path();
    let file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if file || path.starts_with("/pkg/") {
        return next.run(request).await;
    }
    let lang = decide(
        &session,
        request.extensions().get::<Visitor>(),
        request.headers(),
    )
    .await;
    request.extensions_mut().insert(lang);
    let mut response = next.run(request).await;
    label(&mut response, lang);
    // For the middleware outside this one that answer for the request (`web::unavailable`).
    response.extensions_mut().insert(lang);
    response
}

/// The language of a request with this session, visitor cookie and headers: the visitor's
/// choice, else `Accept-Language`, else English. A session that cannot be read leaves the choice
/// to the browser's header (the page reports the failure itself). For the middleware that
/// answers before this one has run (throttling).
pub async fn decide(session: &Session, visitor: Option<&Visitor>, headers: &HeaderMap) -> Lang {
    let chosen = preferences::saved(session, visitor)
        .await
        .ok()
        .flatten()
        .and_then(|saved| saved.lang);
    chosen.unwrap_or_else(|| Lang::of_headers(headers))
}

/// `Content-Language` and `Vary: Accept-Language` on an HTML answer in `lang`.
pub fn label(response: &mut Response, lang: Lang) {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if html {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
        headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    }
}
