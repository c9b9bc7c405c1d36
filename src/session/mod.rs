//! Server-side sessions: the cookie carries only a session id; the data lives in SQLite, in the
//! `tower_sessions` table of tower-sessions' `SqliteStore` (the chapter's Flask-Session with a
//! database backend).
//!
//! This module builds the session middleware from the `[session]` settings and runs the task
//! that deletes expired records.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use tower_sessions::{
    Expiry, SessionManagerLayer,
    cookie::{SameSite, time},
    session_store::ExpiredDeletion,
};
use tower_sessions_sqlx_store::SqliteStore;

use crate::server::config::Config;

/// The session middleware over the SQLite store, configured from the settings.
pub type SessionLayer = SessionManagerLayer<SqliteStore>;

/// Creates the session table when missing and returns the store.
pub async fn store(pool: &SqlitePool) -> Result<SqliteStore, sqlx::Error> {
    let store = SqliteStore::new(pool.clone());
    store.migrate().await?;
    Ok(store)
}

/// The session middleware: `HttpOnly`, `SameSite=Lax` (`Strict` would drop the session when a
/// user arrives from a link on another site), and `Secure` unless in dev mode.
pub fn layer(store: SqliteStore, config: &Config) -> SessionLayer {
    let idle = time::Duration::try_from(config.session.idle_timeout)
        .unwrap_or(time::Duration::minutes(30));
    SessionManagerLayer::new(store)
        .with_name(config.session.cookie_name.clone())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(!config.is_dev())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Deletes expired session records every `every`, until the task is aborted.
///
/// Unlike the store's own `continuously_delete_expired`, a failed sweep (say, the database was
/// busy for longer than the busy timeout) is logged and retried next time instead of ending
/// the task for good.
pub fn spawn_sweeper(store: SqliteStore, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await; // The first tick is immediate; start-up has nothing to sweep yet.
        loop {
            interval.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!(error = %err, "could not delete expired sessions; retrying later");
            }
        }
    })
}
