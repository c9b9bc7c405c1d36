//! Malformed requests to server functions answered `400 Bad Request` with a clear message.
//!
//! A server function whose arguments cannot be decoded (a missing field, invalid UTF-8, a body
//! that is not a form) never runs, so nothing of ours sets the answer's status: leptos answers
//! it `500` (or, for a plain form post, with a redirect back to the page). Those are the
//! caller's mistakes, not the server's. The error itself is ours ([`AppError::BadRequest`],
//! see `crate::error`), so this middleware reads it back and answers with its status.

use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use crate::{error::AppError, text::Lang};

/// Middleware: turns a server function's [`AppError::BadRequest`] into a `400` with a
/// plain-text message.
pub async fn malformed_is_bad_request(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    // In the language the request was answered in (`web::language`, inside this layer).
    let lang = response
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_default();
    let (parts, body) = response.into_parts();
    // Error bodies are small; anything longer is not one of these.
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    // Only our own error, read as it was written; any other body passes through as it came.
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(error @ AppError::BadRequest(_)) => {
            tracing::info!(%error, "malformed server-function request");
            (StatusCode::BAD_REQUEST, format!("{}\n", error.words(lang))).into_response()
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}
