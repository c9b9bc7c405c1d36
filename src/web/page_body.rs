//! Pages leave in one piece: the whole HTML body in one buffer, sent with a `Content-Length`.
//!
//! Every route renders with `SsrMode::Async`, so a page is complete before its first byte goes
//! out; leptos_axum still hands it to hyper as a stream of chunks (the app, then a script per
//! resolved resource), and hyper writes each chunk with a system call and a TCP segment of its
//! own (chunked transfer encoding). Under load on `GET /login` those `writev` calls take about a
//! fifth of the server's CPU time (measured), and the client pays for the extra segments too.
//! Collecting the chunks first costs one copy of a few kilobytes and sends the page in one
//! write.

use axum::{
    body::Body,
    extract::Request,
    http::{StatusCode, header::CONTENT_TYPE},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Middleware: collects each HTML response's body before it is sent. Other responses (static
/// files, server-function answers) pass as they are.
pub async fn whole_page(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if !html {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(err) => {
            tracing::error!(error = %err, "page render failed while streaming");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
