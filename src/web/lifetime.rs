//! The middleware that keeps each session's lifetime up to date after the request it served (by
//! `session::lifetime`'s rules).

use axum::{
    extract::{Request, State},
    http::header::{CONTENT_TYPE, USER_AGENT},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

use crate::{
    db_health::Unavailable,
    session::{Lifetimes, cookies::Resigned},
};

/// Middleware (inside the session layer): after each page or server-function request, starts
/// the bookkeeping of a new session, notes that a live one was used, keeps a remembered
/// cookie persistent, and has a cookie signed with an older key sent again
/// (`web::resign`). Runs
/// after the handler so that it sees the session as the handler left it; a failed request (5xx)
/// is left alone, as tower-sessions does not save it either.
pub async fn track(
    State(lifetimes): State<Lifetimes>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let user_agent = request
        .headers()
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let server_function = request.uri().path().starts_with("/api/");
    let resigned = request.extensions().get::<Resigned>().is_some();
    let response = next.run(request).await;
    if response.status().is_server_error() {
        return response;
    }
    // Only what a user does (a page, a server function) counts as activity; the stylesheet,
    // script and wasm a page pulls in would cost a session read each and say nothing new.
    let page = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !(page || server_function) {
        return response;
    }
    if let Err(err) = lifetimes
        .after_request(&session, user_agent.as_deref(), resigned)
        .await
    {
        // The store told the database's health already; an unavailable database is logged
        // once there, not on every request.
        match Unavailable::of(&err) {
            Some(_) => tracing::debug!(error = %err, "could not update the session's bookkeeping"),
            None => tracing::warn!(error = %err, "could not update the session's bookkeeping"),
        }
    }
    response
}
