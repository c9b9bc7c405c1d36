//! The user's sessions on their devices, as the dashboard lists them (the server functions that
//! list and sign them out are in `api::devices`).

use serde::{Deserialize, Serialize};

/// One live session of the user, as the dashboard lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// What the sign-out form sends back: a fingerprint of the session id, never the id, which
    /// never leaves the cookie.
    pub handle: String,
    /// e.g. "Firefox on Linux".
    pub browser: String,
    /// When the session started (its log-in).
    pub started_at: crate::text::Stamp,
    /// When it was last used.
    pub last_seen: crate::text::Stamp,
    /// Logged in with "remember me".
    pub remembered: bool,
    /// The session of this very browser.
    pub current: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use tower_sessions::Session;

    use super::Device;
    use crate::{
        db::Db,
        session::user_sessions,
        text::{Lang, Stamp},
    };

    /// `user_id`'s sessions live at `now`, marking `session` as the current one, their times in
    /// `lang`.
    pub async fn list(
        db: &Db,
        session: &Session,
        user_id: i64,
        now: i64,
        lang: Lang,
    ) -> Result<Vec<Device>, sqlx::Error> {
        let current = session.id().map(|id| id.to_string());
        let entries = user_sessions::list(db, user_id, now).await?;
        Ok(entries
            .into_iter()
            .map(|entry| Device {
                handle: user_sessions::handle(&entry),
                browser: user_sessions::browser_name(entry.user_agent.as_deref(), lang),
                started_at: Stamp::at(entry.started_at, lang),
                last_seen: Stamp::at(entry.last_seen, lang),
                remembered: entry.remembered,
                current: current.as_deref() == Some(entry.session_id.as_str()),
            })
            .collect())
    }
}
