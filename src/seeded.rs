//! Values a page render knows at once, without waiting: who the user is, the session's
//! preferences, whether flashes wait. [`PageFacts`] is what the server learned about the
//! request before rendering (gathered by `web::page_facts`); [`seeded`] reads one such value
//! for a component.
//!
//! Why not a `Resource`: on the server a resource is an async task, a wake-up of the render, a
//! `<Suspense>` pass and a serialized value, even when the answer is already in memory. Three
//! of them in the layout cost about a quarter of the server's CPU time for a logged-in page
//! (measured with `benches/http.rs`). A seeded value is computed while the component is created.
//! Pages render on the server only (islands: see `components::PageScripts`), so nothing of it is
//! sent to the browser, and nothing needs to react to it either: it is a plain value, rendered
//! once. (A signal and a `move ||` closure per value, as before, cost each view a reactive node,
//! a boxed closure and its call; `scripts/profile-page` counts what they cost.)

use crate::{
    auth::{DashboardData, User},
    preferences::Preferences,
    session::devices::Device,
};

/// What the server knows about the request when its page render starts, all from the session
/// it already loaded (see `web::page_facts`).
#[derive(Clone, Debug, Default)]
pub struct PageFacts {
    /// The logged-in user.
    pub user: Option<User>,
    /// The session's preferences (the defaults when none were saved).
    pub preferences: Preferences,
    /// On `/dashboard`: the user's log-in and session, as the dashboard shows them.
    pub dashboard: Option<DashboardData>,
    /// On `/dashboard`: the user's devices (sessions).
    pub devices: Option<Vec<Device>>,
}

/// `read` of the current request's facts: of what the request gathered (the defaults for a
/// render that did not pass the middleware that gathers them, and in the browser, where no page
/// renders).
fn with_facts<T>(read: impl FnOnce(&PageFacts) -> T) -> T {
    #[cfg(feature = "ssr")]
    if let Some(facts) = leptos::prelude::use_context::<std::sync::Arc<PageFacts>>() {
        return read(&facts);
    }
    read(&PageFacts::default())
}

/// A value the server knew before the render: `from_facts` of the request's [`PageFacts`] (of
/// the defaults when there are none).
pub fn seeded<T>(from_facts: impl FnOnce(&PageFacts) -> T) -> T {
    with_facts(from_facts)
}
