//! Finding the [`Unavailable`] reason (defined by `db`) in any error: sqlx's, wrapped in
//! another, or the session store's, which tower-sessions makes a string: [`store_error`]
//! writes the reason into it, [`Unavailable::of`] reads it back. (The one string format read
//! here is the one written here.)

use std::error::Error as StdError;

use tower_sessions::{session, session_store};

pub use crate::db::Unavailable;

/// `err` as a session store's error, starting with the `reason` the database is unavailable,
/// if any: tower-sessions' store errors are strings, and [`Unavailable::of`] reads the reason
/// back from them.
pub fn store_error(reason: Option<Unavailable>, err: sqlx::Error) -> session_store::Error {
    match reason {
        Some(reason) => session_store::Error::Backend(format!("{reason}: {err}")),
        None => session_store::Error::Backend(err.to_string()),
    }
}

impl Unavailable {
    /// The reason `err` (or an error it wraps) gives, if it is one of these.
    pub fn of(err: &(dyn StdError + 'static)) -> Option<Self> {
        let mut next = Some(err);
        while let Some(err) = next {
            if let Some(err) = err.downcast_ref::<sqlx::Error>() {
                return Self::of_sqlx(err);
            }
            // tower-sessions' session error is `transparent`: its `source()` skips the store's.
            let store = err
                .downcast_ref::<session_store::Error>()
                .or_else(|| match err.downcast_ref::<session::Error>() {
                    Some(session::Error::Store(store)) => Some(store),
                    _ => None,
                });
            if let Some(session_store::Error::Backend(message)) = store {
                return Self::of_store_message(message);
            }
            next = err.source();
        }
        None
    }

    /// The session store's errors are strings (tower-sessions' `Backend(String)`): the app's
    /// store (`session::SessionStore`) starts the string with the reason ([`Self::as_str`]).
    pub(super) fn of_store_message(message: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|reason| message.starts_with(reason.as_str()))
    }
}
