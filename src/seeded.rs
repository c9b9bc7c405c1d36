//! Values a page render knows at once, without waiting: who the user is, the session's
//! preferences, whether flashes wait. [`PageFacts`] is what the server learned about the
//! request before rendering (gathered by `web::page_facts`); [`Seeded`] carries one such
//! value into the page and on to the browser.
//!
//! Why not a `Resource`: on the server a resource is an async task, a wake-up of the render, a
//! `<Suspense>` pass and a serialized value, even when the answer is already in memory. Three
//! of them in the layout cost about a quarter of the server's CPU time for a logged-in page
//! (measured with `benches/http.rs`). A seeded value is computed while the component is created
//! and handed to the browser for hydration the same way (leptos' `SharedValue`).

use std::future::Future;

use leptos::{prelude::*, task::spawn_local};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    auth::{DashboardData, User},
    error::AppError,
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

/// `read` of the current request's facts: on the server, of what the request gathered (the
/// defaults for a render that did not pass the middleware that gathers them); in the browser,
/// of the defaults.
fn with_facts<T>(read: impl FnOnce(&PageFacts) -> T) -> T {
    #[cfg(feature = "ssr")]
    if let Some(facts) = use_context::<std::sync::Arc<PageFacts>>() {
        return read(&facts);
    }
    read(&PageFacts::default())
}

/// A value seeded by the server render and, in the browser, refreshed from the server when
/// something may have changed it.
pub struct Seeded<T: 'static> {
    value: RwSignal<T>,
    /// Browser: refreshes asked for so far; only the answer to the latest one is kept.
    asked: StoredValue<u64>,
}

impl<T> Clone for Seeded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Seeded<T> {}

impl<T> Seeded<T>
where
    T: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    /// On the server: `from_facts` of the request's [`PageFacts`] (of the defaults when there
    /// are none), sent along with the page. In the browser, while hydrating: what the server
    /// sent.
    pub fn new(from_facts: impl FnOnce(&PageFacts) -> T) -> Self {
        let value = SharedValue::new(|| with_facts(from_facts));
        Self {
            value: RwSignal::new(value.into_inner()),
            asked: StoredValue::new(0),
        }
    }

    /// The value (reactive).
    pub fn get(&self) -> T {
        self.value.get()
    }

    /// The value, without tracking.
    pub fn get_untracked(&self) -> T {
        self.value.get_untracked()
    }

    /// Browser: asks the server again with `fetch`. When refreshes overlap, the latest one's
    /// answer wins; a failed one keeps the value as it was.
    pub fn refresh(self, fetch: impl Future<Output = Result<T, AppError>> + 'static) {
        let Some(question) = self.asked.try_update_value(|asked| {
            *asked += 1;
            *asked
        }) else {
            return;
        };
        spawn_local(async move {
            match fetch.await {
                Ok(value) => {
                    // An unchanged answer leaves the page as it is (nothing is rebuilt).
                    let latest = self.asked.try_get_value() == Some(question);
                    if latest && self.value.try_with_untracked(|old| *old != value) == Some(true) {
                        self.value.try_set(value);
                    }
                }
                Err(err) => leptos::logging::warn!("could not refresh from the server: {err}"),
            }
        });
    }
}
