//! The answer to a request that failed because the database could not be used (see
//! `db_health`): `503 Service Unavailable` with `Retry-After`, and words a user can act on,
//! instead of the `500` the failing part left.
//!
//! Whichever part failed (a server function, the session layer's save, a page's read, in this
//! request's task or a task it spawned), it told [`DbHealth`]; this middleware, outside all of
//! them, sees that an unavailability failure was noticed while the request ran and answers for
//! it. A browser's form post or page gets a small page; a server-function call from a script
//! gets the function's own error ([`AppError::Unavailable`]).

use std::time::Duration;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, Uri, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

use leptos::server_fn::error::FromServerFnError;

use crate::text::{Lang, t};
use crate::{db_health::DbHealth, error::AppError};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// How long a client is asked to wait before trying again.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Middleware: a `500` (or a server function's own `503`) for a request during which the
/// database was found unavailable becomes this module's `503`.
pub async fn answer(State(health): State<DbHealth>, request: Request, next: Next) -> Response {
    let failures_before = health.failures();
    let form = Form::of(&request);
    let asked = request.headers().get(header::ACCEPT_LANGUAGE).cloned();
    let response = next.run(request).await;
    let failed = matches!(
        response.status(),
        StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE
    );
    if !failed || health.failures() == failures_before {
        return response;
    }
    // The language the request was answered in (`web::language`, inside), else the one asked.
    let lang = response
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_else(|| {
            asked
                .as_ref()
                .and_then(|value| value.to_str().ok())
                .and_then(Lang::from_accept_language)
                .unwrap_or_default()
        });
    let text = t(lang);
    let mut answer = match form {
        Form::Page { write: true } => Html(page(
            lang,
            text.error_unavailable,
            text.unavailable_nothing_changed,
        ))
        .into_response(),
        Form::Page { write: false } => Html(page(lang, text.unavailable_load, "")).into_response(),
        Form::ServerFunction(uri) => {
            // The server function's own error answer, for its client (a script).
            let mut answer = Response::new(Body::from(AppError::Unavailable.ser()));
            answer.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Ok(path) = HeaderValue::from_str(uri.path()) {
                answer.headers_mut().insert(SERVER_FN_ERROR_HEADER, path);
            }
            answer
        }
        Form::Text => text.error_unavailable.into_response(),
    };
    *answer.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    answer.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(RETRY_AFTER.as_secs()),
    );
    // Cookies the failed request would have set (say, a new session's) are not sent.
    answer
}

/// The form of the answer, from the request: what the client can show.
enum Form {
    /// A browser's page or plain form post (it accepts HTML); `write` for a `POST`.
    Page { write: bool },
    /// A script's call of the server function at this address (a `Uri` clone
    /// shares its bytes: nothing is copied for the requests that succeed).
    ServerFunction(Uri),
    /// Anything else (say, `curl`).
    Text,
}

impl Form {
    fn of(request: &Request) -> Self {
        let accepts_html = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        let path = request.uri().path();
        if accepts_html {
            Self::Page {
                write: request.method() != Method::GET && request.method() != Method::HEAD,
            }
        } else if path.starts_with("/api/") {
            Self::ServerFunction(request.uri().clone())
        } else {
            Self::Text
        }
    }
}

/// The page: plain HTML, no script, nothing from the database.
fn page(lang: Lang, message: &str, more: &str) -> String {
    let text = t(lang);
    let tag = lang.tag();
    let (title, app, home) = (
        text.unavailable_title,
        text.app_name,
        text.not_found_home_link,
    );
    format!(
        "<!DOCTYPE html>\
<html lang=\"{tag}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} - {app}</title></head>\
<body><main><h1>{title}</h1>\
<p role=\"alert\">{message}</p>\
<p>{more} <a href=\"/\">{home}</a></p></main></body></html>"
    )
}
