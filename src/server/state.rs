//! `AppState`: what every handler and server function can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;

use super::config::Config;
use crate::{
    auth::{password::Passwords, throttle::IpLimiter},
    flash::FlashStore,
    session::Lifetimes,
};

/// Shared, cheaply clonable state. Server functions get it with `expect_context::<AppState>()`
/// (leptos_axum provides it to every route), axum handlers with `State<AppState>`.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Where the built site lives and what the wasm bundle is called.
    pub leptos_options: LeptosOptions,
    /// The SQLite pool.
    pub pool: SqlitePool,
    /// The settings read at start-up.
    pub config: Arc<Config>,
    /// The flash message queues.
    pub flash: FlashStore,
    /// Password hashing, bounded in concurrency.
    pub passwords: Passwords,
    /// Per-IP limits of log-in and registration posts.
    pub auth_limiter: IpLimiter,
    /// The session timeouts (idle, absolute, remember me), from `[session]`.
    pub lifetimes: Lifetimes,
}
