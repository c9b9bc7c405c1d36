//! What the app keeps in a session, under typed keys: who is logged in, and form input kept
//! across a redirect. (Flashes are rows of their own, see `crate::flash`; preferences are in
//! `crate::preferences`; the session's own bookkeeping in [`super::lifetime`].)

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::visitor::Visitor;

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

/// Keeps what the user typed (never a password) so that the form can be filled again after a
/// failed post redirects back to it: in the session, or in the visitor cookie when the session
/// has no record.
pub async fn keep_form_input(
    session: &Session,
    visitor: Option<&Visitor>,
    fields: &[(&str, &str)],
) -> Result<(), tower_sessions::session::Error> {
    // Long enough for any valid value; a pasted novel is not worth keeping in the store.
    const MAX_KEPT_BYTES: usize = 256;
    let input: HashMap<String, String> = fields
        .iter()
        .map(|(name, value)| {
            // Cut at a character boundary within the byte limit (it travels in a cookie).
            let value = value
                .char_indices()
                .take_while(|(at, c)| at + c.len_utf8() <= MAX_KEPT_BYTES)
                .map(|(_, c)| c)
                .collect();
            ((*name).to_owned(), value)
        })
        .collect();
    match visitor {
        Some(visitor) if !has_record(session).await? => {
            visitor.insert(FORM_INPUT_KEY, &input);
            Ok(())
        }
        _ => session.insert(FORM_INPUT_KEY, input).await,
    }
}

/// Takes the input kept by [`keep_form_input`], once.
pub async fn take_form_input(
    session: &Session,
    visitor: Option<&Visitor>,
) -> Result<HashMap<String, String>, tower_sessions::session::Error> {
    if let Some(kept) = visitor
        .and_then(|visitor| visitor.remove(FORM_INPUT_KEY))
        .and_then(|value| serde_json::from_value(value).ok())
    {
        return Ok(kept);
    }
    // `remove` marks the session changed (a store write) even when the key is absent.
    if session.get_value(FORM_INPUT_KEY).await?.is_none() {
        return Ok(HashMap::new());
    }
    Ok(session.remove(FORM_INPUT_KEY).await?.unwrap_or_default())
}
