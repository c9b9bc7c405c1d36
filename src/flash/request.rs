//! What a request knows about its flashes, kept in its Leptos context: whether it pushed some
//! ([`PushedHere`]), whether some waited when its session was loaded ([`FlashesWaiting`]),
//! and whether the page it renders will be seen by anyone, so that it may take them.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use axum::http::{Method, request::Parts};
use leptos::prelude::{use_context, with_context};
use tower_sessions::Session;

/// Put in each request's Leptos context (`server::render::leptos_context`); set once a flash is
/// pushed in the request, so that the page the same request renders shows it although the
/// session's load found none waiting (a form post answered with a page rather than a
/// redirect).
#[derive(Clone, Debug, Default)]
pub struct PushedHere(Arc<AtomicBool>);

impl PushedHere {
    /// For a handler that pushed with the axum extractor, outside any render, and then renders
    /// the page: put this in the render's context.
    pub fn already() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }

    pub(super) fn mark() {
        if let Some(pushed) = use_context::<PushedHere>() {
            pushed.0.store(true, Ordering::Relaxed);
        }
    }

    pub(super) fn happened() -> bool {
        use_context::<PushedHere>().is_some_and(|pushed| pushed.0.load(Ordering::Relaxed))
    }
}

/// Put in the Leptos context of a render whose page should not consume the flashes (the
/// fallback that answers 404 for missing files and unknown addresses).
#[derive(Clone, Copy, Debug)]
pub struct LeaveFlashes;

/// Put in a render's context by whoever knows whether flashes waited for the session when it
/// was loaded (the app's `web::page_facts`), so that a page with none need not ask.
#[derive(Clone, Copy, Debug)]
pub struct FlashesWaiting(pub bool);

/// Whether the page render must ask the store for flashes: it will be seen, and flashes waited
/// when the session was loaded ([`FlashesWaiting`]; asked when unknown), or the request pushed
/// some itself. Most page views answer no and have nothing to wait for.
pub(super) fn render_must_take() -> bool {
    page_will_be_seen()
        && (PushedHere::happened()
            || use_context::<FlashesWaiting>().is_none_or(|FlashesWaiting(waiting)| waiting))
}

/// Whether the page being rendered will be shown to someone, so that it may take the flashes.
/// Always true for a server function call from the browser.
pub fn page_will_be_seen() -> bool {
    if use_context::<LeaveFlashes>().is_some() {
        return false;
    }
    with_context::<Parts, _>(|parts| {
        parts.method != Method::HEAD
            && !parts
                .headers
                .get("sec-purpose")
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.contains("prefetch"))
    })
    .unwrap_or(true)
}

/// The current request's session, from the request parts leptos_axum puts in the Leptos
/// context. (`leptos_axum::extract` would clone the whole request head to get it.)
pub fn session_from_context() -> Option<Session> {
    with_context::<Parts, _>(|parts| parts.extensions.get::<Session>().cloned()).flatten()
}
