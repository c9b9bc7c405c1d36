//! The log-in guard for pages that need a user, applied before the page renders.

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, header::LOCATION},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use super::state::AppState;
use crate::{
    flash::Flasher,
    session::{self, visitor::Visitor},
    text::Msg,
};

/// The pages only a logged-in user may load.
pub const PROTECTED: &[&str] = &["/dashboard", "/session", "/account"];

/// The page a path names: `/dashboard/` is `/dashboard` (the router renders both).
pub fn page_of(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(page) if !page.is_empty() => page,
        _ => path,
    }
}

/// Sends an anonymous visitor of a [`PROTECTED`] page to `/login?next=<page>` with a `warning`
/// flash, with `303 See Other`, before anything renders: a page that redirects must not render
/// (and so consume) the flashes meant for the page it redirects to.
pub async fn require_login(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = page_of(request.uri().path());
    let guarded =
        matches!(*request.method(), Method::GET | Method::HEAD) && PROTECTED.contains(&path);
    if !guarded {
        return next.run(request).await;
    }
    // The cookie named a session (it parsed and its signature held) before the store was asked.
    let presented = session.id().is_some();
    match session::login(&session).await {
        Ok(Some(_)) => next.run(request).await,
        Ok(None) => {
            let target = format!("/login?next={}", crate::auth::form::urlencode(path));
            // A cookie whose session the store no longer has: it timed out, or was signed out
            // from another device. Say so, rather than the plain "please log in".
            let ended = presented && session.id().is_none();
            let message = if ended {
                Msg::SessionEnded
            } else {
                Msg::LoginFirst
            };
            let visitor = request.extensions().get::<Visitor>().cloned();
            if let Err(err) = Flasher::new(state.flash.clone(), session)
                .visiting(visitor)
                .warning(message)
                .await
            {
                state
                    .db_health
                    .failed("flash the log-in guard's warning", &err);
            }
            (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response()
        }
        Err(err) => {
            state
                .db_health
                .failed("load the session for the log-in guard", &err);
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
