//! Server-side sessions: the cookie carries only a session id; the data lives in SQLite, in the
//! `tower_sessions` table of tower-sessions' `SqliteStore` (the chapter's Flask-Session with a
//! database backend).
//!
//! This module builds the session middleware from the `[session]` settings, runs the task that
//! deletes expired records, and names what the app keeps in a session (typed keys below).

use std::{collections::HashMap, time::Duration};

use serde::{Deserialize, Serialize};

use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use tower_sessions::{
    Expiry, Session, SessionManagerLayer,
    cookie::{Key, SameSite, time},
    service::SignedCookie,
    session_store::ExpiredDeletion,
};

use crate::server::config::Config;

mod store;

pub use store::Store;

/// The session middleware over the SQLite store, configured from the settings.
pub type SessionLayer = SessionManagerLayer<Store, SignedCookie>;

/// Creates the session table when missing and returns the store.
pub async fn store(pool: &SqlitePool) -> Result<Store, sqlx::Error> {
    Store::new(pool.clone()).await
}

/// The session middleware: `HttpOnly`, `SameSite=Lax` (`Strict` would drop the session when a
/// user arrives from a link on another site), `Secure` unless in dev mode, and signed with the
/// app's secret key: a tampered or forged cookie reads as no cookie at all (a fresh, anonymous
/// session; never an error, never an adopted id).
pub fn layer(store: Store, config: &Config, key: Key) -> SessionLayer {
    let idle = time::Duration::try_from(config.session.idle_timeout)
        .unwrap_or(time::Duration::minutes(30));
    SessionManagerLayer::new(store)
        .with_name(config.session.cookie_name.clone())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(!config.is_dev())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
        .with_signed(key)
}

/// Deletes expired session records every `every`, until the task is aborted.
///
/// Unlike the store's own `continuously_delete_expired`, a failed sweep (say, the database was
/// busy for longer than the busy timeout) is logged and retried next time instead of ending
/// the task for good.
pub fn spawn_sweeper(store: Store, every: Duration) -> JoinHandle<()> {
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

/// The session key of [`Login`].
pub const LOGIN_KEY: &str = "auth.login";
/// The session key of the form input kept across a failed post (see [`keep_form_input`]).
pub const FORM_INPUT_KEY: &str = "form.input";

/// Who is logged in to this session. Only the user id and facts about the log-in: never a
/// password, a hash, a role or anything else that should be looked up fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub user_id: i64,
    /// Unix seconds.
    pub logged_in_at: i64,
    /// Whether "remember me" was ticked.
    pub remember: bool,
}

/// The log-in of this session, if any.
pub async fn login(session: &Session) -> Result<Option<Login>, tower_sessions::session::Error> {
    session.get(LOGIN_KEY).await
}

/// Keeps what the user typed (never a password) so that the form can be filled again after a
/// failed post redirects back to it.
pub async fn keep_form_input(
    session: &Session,
    fields: &[(&str, &str)],
) -> Result<(), tower_sessions::session::Error> {
    let input: HashMap<String, String> = fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    session.insert(FORM_INPUT_KEY, input).await
}

/// Takes the input kept by [`keep_form_input`], once.
pub async fn take_form_input(
    session: &Session,
) -> Result<HashMap<String, String>, tower_sessions::session::Error> {
    // `remove` marks the session changed (a store write) even when the key is absent.
    if session.get_value(FORM_INPUT_KEY).await?.is_none() {
        return Ok(HashMap::new());
    }
    Ok(session.remove(FORM_INPUT_KEY).await?.unwrap_or_default())
}
