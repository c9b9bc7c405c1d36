//! What the app keeps in a session, under typed keys: who is logged in, and form input kept
//! across a redirect (kept and taken by [`super::form_input`]). (Flashes are rows of their own,
//! see `crate::flash`; preferences are in `crate::preferences`; the session's own bookkeeping
//! in [`super::lifetime`].)

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The session key of [`Login`].
pub const LOGIN_KEY: &str = "auth.login";
/// The session key of the form input kept across a failed post (see [`super::form_input`]).
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

/// Whether `session` has a record in the store (loading it if not loaded yet): a visitor
/// without one keeps what it has in the visitor cookie ([`super::visitor`]).
pub async fn has_record(session: &Session) -> Result<bool, tower_sessions::session::Error> {
    // Any read loads the record; loading forgets an id the store does not know.
    session.get_value(LOGIN_KEY).await?;
    Ok(session.id().is_some())
}

/// The log-in of this session, if any.
pub async fn login(session: &Session) -> Result<Option<Login>, tower_sessions::session::Error> {
    session.get(LOGIN_KEY).await
}
