//! What the store learns about a session in the statement that loads it, so that a page view
//! does not ask the database again: whether flashes wait for the session, and who its user is.
//!
//! Every page view asks both right after loading the session (the layout shows the flashes
//! and the user's name; `web::page_facts` asks before the render). As separate queries they
//! would be two more round trips to SQLite's worker threads per page: about a third of the
//! server's CPU time for a logged-in dashboard (measured). The store answers them in its load statement and keeps the answer in the loaded
//! record under [`LOADED_KEY`]; it is never written back (the store drops it when it encodes a
//! record).
//!
//! The answers are as of the load. A flash pushed later by a concurrent request is taken by the
//! next page view, never lost; code that must see the current state (carrying flashes over at
//! log-in) asks the database itself.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The record key of the load-time facts; reserved, never stored.
pub(super) const LOADED_KEY: &str = "_loaded";

/// The facts the store put in the loaded record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Loaded {
    /// At least one flash row waited for this session.
    pub flash_waiting: bool,
    /// The user the session's row belongs to (`tower_sessions.user_id`): id and name.
    pub user: Option<(i64, String)>,
}

/// The facts of `session`'s load; the defaults (nothing waiting, no user) when the session was
/// not loaded from the store (a new session) or cannot be read.
async fn of(session: &Session) -> Loaded {
    session
        .get::<Loaded>(LOADED_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Whether flashes waited for `session` when it was loaded.
pub async fn flash_waiting(session: &Session) -> bool {
    of(session).await.flash_waiting
}

/// The name of user `user_id`, if the session's row belonged to that user when it was loaded.
/// `None` means "not known from the load" (another user, none, a new session): ask the
/// database.
pub async fn username(session: &Session, user_id: i64) -> Option<String> {
    of(session)
        .await
        .user
        .filter(|(id, _)| *id == user_id)
        .map(|(_, name)| name)
}
