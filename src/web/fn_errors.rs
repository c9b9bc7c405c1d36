//! Malformed requests to server functions answered `400 Bad Request` with a clear message.
//!
//! leptos_axum answers a server function whose arguments cannot be decoded (a missing field,
//! invalid UTF-8, a body that is not a form) like any other failure: `500`, or for a plain form
//! post a `302` back to the page. Those are the caller's mistakes, not the server's; this
//! middleware recognises them by leptos' `serverfnerror` header and the error's kind.

use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The error kinds that mean "the request was malformed".
const CALLER_ERRORS: &[&str] = &["Args", "Deserialization", "Request"];

/// Middleware: turns server-function argument errors into `400` with a plain-text message.
pub async fn malformed_is_bad_request(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Error bodies are a line of text; anything longer is not one of these.
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    match text.split_once('|') {
        Some((kind, detail)) if CALLER_ERRORS.contains(&kind) => {
            tracing::info!(detail, "malformed server-function request");
            let message = format!(
                "Bad request: the form could not be read ({detail}). \
                 Please send it again from the page.\n"
            );
            (StatusCode::BAD_REQUEST, message).into_response()
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}
