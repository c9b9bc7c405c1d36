//! The log-in guard for pages that need a user, applied before the page renders.

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, header::LOCATION},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::{flash::Flasher, server::state::AppState, session, text::t};

/// The pages only a logged-in user may load.
pub const PROTECTED: &[&str] = &["/dashboard", "/session"];

/// Sends an anonymous visitor of a [`PROTECTED`] page to `/login?next=<page>` with a `warning`
/// flash, with `303 See Other`, before anything renders: a page that redirects must not render
/// (and so consume) the flashes meant for the page it redirects to.
pub async fn require_login(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let guarded =
        matches!(*request.method(), Method::GET | Method::HEAD) && PROTECTED.contains(&path);
    if !guarded {
        return next.run(request).await;
    }
    match session::login(&session).await {
        Ok(Some(_)) => next.run(request).await,
        Ok(None) => {
            let target = format!("/login?next={}", super::urlencode(path));
            if let Err(err) = Flasher::new(state.flash.clone(), session)
                .warning(t().dashboard_login_first)
                .await
            {
                tracing::error!(error = %err, "log-in guard: could not flash");
            }
            (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "log-in guard: session unavailable");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
