//! Form input kept across a failed post's redirect (never a password), so the form can be
//! filled again: in the session, or in the visitor cookie when the session has no record.

use std::collections::HashMap;

use tower_sessions::Session;

use super::{
    keys::{FORM_INPUT_KEY, has_record},
    visitor::Visitor,
};

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
