//! Gathers a page's [`PageFacts`] before the render starts, so that the render reads them
//! without waiting (see `crate::seeded` for why).
//!
//! The middleware runs for every request but server-function calls and `/pkg/` files, after
//! the session layer loaded the session: the facts are reads of that loaded record (the user's
//! name comes from the store's load statement, `session::loaded`), so gathering them costs no
//! database round trip for a returning user and writes nothing.

use axum::{
    extract::{Request, State},
    http::request::Parts,
    middleware::Next,
    response::Response,
};
use leptos::prelude::{provide_context, with_context};
use tower_sessions::Session;

use super::{
    call::{RequestMemo, find_user, format_time},
    state::AppState,
};
use crate::{
    auth::{DashboardData, User},
    preferences::{PREFERENCES_KEY, Preferences},
    seeded::PageFacts,
    session::{
        self, Login, devices,
        lifetime::{META_KEY, Meta},
    },
};

/// What the middleware leaves in the request's extensions for the render.
#[derive(Clone)]
struct Gathered {
    facts: PageFacts,
    user: Option<(User, Login)>,
}

/// Middleware (inside the session layer): gathers the facts of a request that may render a page.
pub async fn gather(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !(path.starts_with("/api/") || path.starts_with("/pkg/")) {
        let gathered = gather_from(&state, &session, path == "/dashboard").await;
        request.extensions_mut().insert(gathered);
    }
    next.run(request).await
}

async fn gather_from(state: &AppState, session: &Session, dashboard_page: bool) -> Gathered {
    // A failed read leaves that fact at its default (no user, default preferences, flashes
    // asked for by the render), as the page's own reads did when they failed.
    let user = find_user(state, session).await.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "could not look up the page's user");
        None
    });
    let preferences = session
        .get::<Preferences>(PREFERENCES_KEY)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(error = %err, "could not read the session's preferences");
            None
        })
        .unwrap_or_default();
    let flash_waiting = session::loaded::flash_waiting(session).await;
    let dashboard = match &user {
        Some((user, login)) => dashboard_data(state, session, user, login)
            .await
            .inspect_err(|err| tracing::warn!(error = %err, "could not read the session's facts"))
            .ok(),
        None => None,
    };
    // The dashboard's device list, read here rather than by the render: the render then has
    // nothing to wait for.
    let devices = match &user {
        Some((_, login)) if dashboard_page => {
            devices::ssr::list(&state.pool, session, login.user_id)
                .await
                .inspect_err(|err| tracing::warn!(error = %err, "could not list the devices"))
                .ok()
        }
        _ => None,
    };
    Gathered {
        facts: PageFacts {
            user: user.as_ref().map(|(user, _)| user.clone()),
            preferences,
            flash_waiting,
            dashboard,
            devices,
        },
        user,
    }
}

/// What the dashboard shows of `user`'s log-in and of the session's lifetime.
pub async fn dashboard_data(
    state: &AppState,
    session: &Session,
    user: &User,
    login: &Login,
) -> Result<DashboardData, tower_sessions::session::Error> {
    let meta = session.get::<Meta>(META_KEY).await?;
    let ends = meta.map(|meta| state.lifetimes.end(&meta).0);
    Ok(DashboardData {
        username: user.username.clone(),
        logged_in_at: format_time(login.logged_in_at),
        expires_at: ends.map_or_else(|| "-".to_owned(), format_time),
        remembered: login.remember,
    })
}

/// In a render's Leptos context: the request's [`PageFacts`], and the user already found for
/// the server functions the render calls. Does nothing for a request without them.
pub fn provide() {
    let gathered = with_context::<Parts, _>(|parts| parts.extensions.get::<Gathered>().cloned());
    if let Some(Gathered { facts, user }) = gathered.flatten() {
        provide_context(facts);
        provide_context(RequestMemo::knowing_user(user));
    }
}
