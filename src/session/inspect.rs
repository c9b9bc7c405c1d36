//! The session inspector behind `/session`: what the server keeps for the current session, the
//! cookie that points at it, and when and why it ends. The id itself is never shown, only a
//! fingerprint (a hash prefix) to tell sessions apart.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Why a session ends when it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ending {
    /// Nobody used it for the idle timeout.
    Idle,
    /// It reached the absolute timeout.
    Absolute,
    /// "Remember me": the persistent cookie and the record expire together.
    Remembered,
}

/// The session cookie's attributes, as the server sets them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieFacts {
    pub name: String,
    pub path: String,
    pub http_only: bool,
    pub secure: bool,
    pub same_site: String,
    /// `Some(date)` for a persistent (remembered) cookie; `None` for a browser-session cookie.
    pub persistent_until: Option<String>,
}

/// What the inspector shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionReport {
    /// The first 64 bits of the SHA-256 of the session id, in hex.
    pub fingerprint: String,
    /// Every key of the session data with its value as JSON, by key.
    pub entries: Vec<(String, String)>,
    pub cookie: CookieFacts,
    /// When the session started, was last used, and ends (`YYYY-MM-DD HH:MM:SS UTC`).
    pub started_at: String,
    pub last_seen: String,
    pub expires_at: String,
    pub ending: Ending,
    /// The timeout behind `ending`, as in the settings (e.g. `30m`); empty when remembered.
    pub timeout: String,
}

/// The current session, for the logged-in user (`None` and a redirect to `/login` otherwise).
#[server(endpoint = "inspect_session")]
pub async fn inspect_session() -> Result<Option<SessionReport>, ServerFnError> {
    use crate::server::call::Call;

    let call = Call::current().await?;
    let report = ssr::report(&call).await.map_err(call.internal())?;
    if report.is_none() {
        call.send_to_login("/session").await?;
    }
    Ok(report)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use tower_sessions::session::Id;

    use super::{CookieFacts, Ending, SessionReport};
    use crate::{
        server::{call::Call, config::SameSite},
        session::lifetime::{META_KEY, Meta},
    };

    /// The report of a logged-in session; `None` for anyone else.
    pub async fn report(
        call: &Call,
    ) -> Result<Option<SessionReport>, tower_sessions::session::Error> {
        let session = &call.session;
        let (Some(_), Some(id)) = (crate::session::login(session).await?, session.id()) else {
            return Ok(None);
        };
        let Some(meta) = session.get::<Meta>(META_KEY).await? else {
            return Ok(None);
        };
        let config = &call.state.config;
        let (end, ending) = call.state.lifetimes.end(&meta);
        // What the store holds (as of the last save), every key, not only the ones this page knows.
        let stored = crate::session::Store::load_record(
            &call.state.pool,
            &id,
            call.state.lifetimes.now_unix(),
        )
        .await?
        .map(|record| record.data)
        .unwrap_or_default();
        let mut entries: Vec<(String, String)> = stored
            .into_iter()
            .map(|(key, value)| (key, value.to_string()))
            .collect();
        entries.sort();
        let same_site = match config.session.same_site {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        };
        Ok(Some(SessionReport {
            fingerprint: fingerprint(&id),
            entries,
            cookie: CookieFacts {
                name: config.cookie_name(),
                path: "/".to_owned(),
                http_only: config.session.http_only,
                secure: config.cookie_secure(),
                same_site: same_site.to_owned(),
                persistent_until: meta.remembered_until.map(format_seconds),
            },
            started_at: format_seconds(meta.started_at),
            last_seen: format_seconds(meta.last_seen),
            expires_at: format_seconds(end),
            ending,
            timeout: match ending {
                Ending::Idle => humantime::format_duration(config.session.idle_timeout).to_string(),
                Ending::Absolute => {
                    humantime::format_duration(config.session.absolute_timeout).to_string()
                }
                Ending::Remembered => String::new(),
            },
        }))
    }

    /// The fingerprint of `id` (the same one the list of devices uses as its handle).
    pub fn fingerprint(id: &Id) -> String {
        crate::session::index::fingerprint(&id.to_string())
    }

    fn format_seconds(unix: i64) -> String {
        crate::server::call::format_time_seconds(unix)
    }
}
