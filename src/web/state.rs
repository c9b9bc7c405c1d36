//! `AppState`: what every handler and server function can reach.

use std::{ops::Deref, sync::Arc};

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::page_cache::PageCache;
use crate::{
    auth::{password::Passwords, throttle::IpLimiter},
    db::Db,
    db_health::DbHealth,
    flash::FlashStore,
    mail::Mailer,
    session::{
        Lifetimes,
        cookies::{CookieKeys, CookieSettings},
    },
};

/// Shared state behind one `Arc`: every page render and server function gets a copy through the
/// Leptos context (`use_context::<AppState>()`, several times per page), axum handlers with
/// `State<AppState>`, so a clone is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for DbHealth {
    fn from_ref(state: &AppState) -> Self {
        state.db_health.clone()
    }
}

impl FromRef<AppState> for FlashStore {
    fn from_ref(state: &AppState) -> Self {
        state.flash.clone()
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    /// Where the built site lives and what the wasm bundle is called.
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: Db,
    /// Whether the database can be used right now (see `db_health`).
    pub db_health: DbHealth,
    /// The explicit development mode (plain-HTTP localhost): relaxes what that needs.
    pub dev: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`server.trusted_proxies`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How the app's cookies are set.
    pub cookies: CookieSettings,
    /// The flash message queues.
    pub flash: FlashStore,
    /// Password hashing, bounded in concurrency.
    pub passwords: Passwords,
    /// Per-IP limits of log-in and registration posts.
    pub auth_limiter: IpLimiter,
    /// The session timeouts (idle, absolute, remember me), from `[session]`.
    pub lifetimes: Lifetimes,
    /// Pages for visitors without a session, kept after their first render.
    pub page_cache: PageCache,
    /// The key that signs cookies, and the older ones that still verify them.
    pub cookie_keys: CookieKeys,
    /// Sends the app's mail (`[mail]`).
    pub mailer: Mailer,
    /// Set once `/readyz` has found every migration applied (see `web::health`).
    pub migrated: std::sync::atomic::AtomicBool,
}
