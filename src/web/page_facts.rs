//! Gathers a page's [`PageFacts`] before the render starts, so that the render reads them
//! without waiting (see `crate::seeded` for why).
//!
//! The middleware runs, after the session layer, for `GET` and `HEAD` requests that may render
//! a page: not server-function calls (`/api/`), not the site's files (`/pkg/`, and any path
//! whose last segment has a dot, such as `/favicon.svg`), which neither read the session nor
//! show it. The facts are reads of the loaded session record (the user's name comes from the
//! store's load statement, `session::loaded`), so they cost no database round trip beyond that
//! load; `/dashboard` also lists the user's devices. Nothing is written.
//!
//! `POST /flash-demo`, the one page answered to a `POST`, gathers them itself ([`attach`]).

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, request::Parts},
    middleware::Next,
    response::Response,
};
use leptos::prelude::{provide_context, use_context, with_context};
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::{current_user::find_user, guard::page_of, state::AppState};
use crate::{
    auth::{DashboardData, User},
    flash::FlashesWaiting,
    seeded::PageFacts,
    session::{
        self, Login, devices,
        lifetime::{META_KEY, Meta},
        visitor::Visitor,
    },
    text::{Lang, Stamp},
};

/// What the middleware leaves in the request's extensions for the render.
#[derive(Clone)]
struct Gathered {
    facts: Arc<PageFacts>,
    flash_waiting: bool,
    /// A read failed: the page renders with what was found, as a `500`.
    failed: bool,
}

/// Middleware (inside the session layer): gathers the facts of a request that may render a page.
pub async fn gather(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if may_render_a_page(&request) {
        attach(&state, &session, &mut request).await;
    }
    next.run(request).await
}

fn may_render_a_page(request: &Request) -> bool {
    let path = request.uri().path();
    let file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && !file
}

/// Gathers the facts of `request`'s page into its extensions (for a handler that renders a page
/// outside the middleware's reach).
pub async fn attach(state: &AppState, session: &Session, request: &mut Request) {
    let dashboard_page = page_of(request.uri().path()) == "/dashboard";
    let visitor = request.extensions().get::<Visitor>().cloned();
    let lang = request
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_else(|| Lang::of_headers(request.headers()));
    let gathered = gather_from(state, session, visitor, dashboard_page, lang).await;
    request.extensions_mut().insert(gathered);
}

async fn gather_from(
    state: &AppState,
    session: &Session,
    request_visitor: Option<Visitor>,
    dashboard_page: bool,
    lang: Lang,
) -> Gathered {
    // A failed read leaves that fact at its default (no user, the default preferences) and
    // makes the page a `500`.
    let mut failed = false;
    let mut failure = |what: &str, err: &(dyn std::error::Error + 'static)| {
        state
            .db_health
            .failed(&format!("read {what} for the page"), err);
        failed = true;
    };
    let user = find_user(state, session).await.unwrap_or_else(|err| {
        failure("the user", &err);
        None
    });
    let visitor = request_visitor;
    let preferences = crate::preferences::saved(session, visitor.as_ref())
        .await
        .unwrap_or_else(|err| {
            failure("the preferences", &err);
            None
        })
        .unwrap_or_default();
    let mut dashboard = None;
    let mut device_list = None;
    if let (Some((user, login)), true) = (&user, dashboard_page) {
        dashboard = dashboard_data(state, session, user, login, lang)
            .await
            .inspect_err(|err| failure("the session's facts", err))
            .ok();
        device_list = devices::ssr::list(
            &state.db,
            session,
            login.user_id,
            state.lifetimes.now_unix(),
            lang,
        )
        .await
        .inspect_err(|err| failure("the devices", err))
        .ok();
    }
    let flash_waiting = session::loaded::flash_waiting(session).await
        || visitor.as_ref().is_some_and(Visitor::has_flashes);
    Gathered {
        facts: Arc::new(PageFacts {
            user: user.map(|(user, _)| user),
            preferences,
            dashboard,
            devices: device_list,
        }),
        flash_waiting,
        failed,
    }
}

/// Whether a page render of this request would wait for nothing of the session's: its facts
/// were gathered and no flash waited. False when unknown.
pub fn nothing_waits(extensions: &axum::http::Extensions) -> bool {
    extensions
        .get::<Gathered>()
        .is_some_and(|gathered| !gathered.flash_waiting)
}

/// What the dashboard shows of `user`'s log-in and of the session's lifetime, in `lang`.
pub async fn dashboard_data(
    state: &AppState,
    session: &Session,
    user: &User,
    login: &Login,
    lang: Lang,
) -> Result<DashboardData, tower_sessions::session::Error> {
    let meta = session.get::<Meta>(META_KEY).await?;
    let ends = meta.map(|meta| state.lifetimes.end(&meta).0);
    Ok(DashboardData {
        username: user.username.clone(),
        logged_in_at: Stamp::at(login.logged_in_at, lang),
        expires_at: ends.map(|end| Stamp::at(end, lang)),
        remembered: login.remember,
    })
}

/// In a render's or server function's Leptos context: the request's language, its
/// [`PageFacts`], and whether flashes waited (for the flash module).
pub fn provide() {
    if let Some(lang) = with_context::<Parts, _>(Lang::of_request) {
        provide_context(lang);
    }
    let gathered = with_context::<Parts, _>(|parts| parts.extensions.get::<Gathered>().cloned());
    let Some(gathered) = gathered.flatten() else {
        return;
    };
    if gathered.failed
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response.set_status(StatusCode::INTERNAL_SERVER_ERROR);
    }
    provide_context(FlashesWaiting(gathered.flash_waiting));
    provide_context(gathered.facts);
}
