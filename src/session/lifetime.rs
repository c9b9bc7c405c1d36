//! How long a session lives: idle, absolute and remembered lifetimes, decided on the server.
//!
//! Two clocks, kept apart on purpose:
//! - The **cookie**: without "remember me" it is a browser-session cookie (no `Max-Age`; the
//!   browser drops it when it closes); with "remember me" it is persistent until
//!   [`Meta::remembered_until`].
//! - The **record** in the store: its `expiry_date` is what actually ends a session. The store
//!   asks [`Lifetimes::record_expiry`] for it on every write: the idle timeout after the last
//!   request or the absolute timeout after the start, whichever comes first; or, when
//!   remembered, the same instant the cookie expires. An expired record is never loaded (the
//!   store's `load` filters on `expiry_date`) and the sweeper deletes it.
//!
//! The facts these are computed from live in the session itself, under [`META_KEY`], kept up to
//! date by the middleware `web::lifetime::track` ([`Lifetimes::after_request`]).

use serde::{Deserialize, Serialize};
use tower_sessions::{
    Expiry, Session,
    cookie::time::{Duration, OffsetDateTime},
    session::Record,
};

use super::config::SessionConfig;
pub use super::inspect::Ending;
use crate::clock::Clock;

/// The session key of [`Meta`].
pub const META_KEY: &str = "session.meta";

/// The longest `User-Agent` kept (in characters).
const MAX_USER_AGENT_CHARS: usize = 200;

/// Facts about the session itself (not about its user). All times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// When the session started: when it was created, or when its user logged in (a log-in
    /// starts the absolute timeout over, since it is a new session under a new id).
    pub started_at: i64,
    /// When a request last used it (written at most every [`Lifetimes::touch_every`]).
    pub last_seen: i64,
    /// With "remember me": when the session ends, whatever the timeouts say.
    pub remembered_until: Option<i64>,
    /// The browser's `User-Agent` when the session started (cut), for the list of devices.
    pub user_agent: Option<String>,
}

impl Meta {
    /// A session starting `now` in the browser that sent `user_agent`.
    pub fn new(now: i64, user_agent: Option<&str>) -> Self {
        Self {
            started_at: now,
            last_seen: now,
            remembered_until: None,
            user_agent: user_agent.map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect()),
        }
    }
}

/// The session timeouts, from the `[session]` settings, and the clock they are measured by.
#[derive(Clone, Debug)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
    pub remember: Duration,
    pub clock: Clock,
}

impl Lifetimes {
    pub fn from_config(config: &SessionConfig, clock: Clock) -> Self {
        let duration = |d: std::time::Duration| Duration::try_from(d).unwrap_or(Duration::MAX);
        Self {
            idle: duration(config.idle_timeout.get()),
            absolute: duration(config.absolute_timeout.get()),
            remember: duration(config.remember_lifetime.get()),
            clock,
        }
    }

    /// The time on [`Lifetimes::clock`], in Unix seconds.
    pub fn now_unix(&self) -> i64 {
        self.clock.now_unix()
    }

    /// When a session with these facts ends (Unix seconds), and why.
    pub fn end(&self, meta: &Meta) -> (i64, Ending) {
        if let Some(until) = meta.remembered_until {
            return (until, Ending::Remembered);
        }
        let idle_end = meta.last_seen.saturating_add(self.idle.whole_seconds());
        let absolute_end = meta
            .started_at
            .saturating_add(self.absolute.whole_seconds());
        if idle_end <= absolute_end {
            (idle_end, Ending::Idle)
        } else {
            (absolute_end, Ending::Absolute)
        }
    }

    /// The `expiry_date` to store for `record`. A record without [`Meta`] (a session created in
    /// the middle of a request, before `web::lifetime::track` adds it) gets the idle timeout.
    pub fn record_expiry(&self, record: &Record) -> OffsetDateTime {
        let meta = record
            .data
            .get(META_KEY)
            .and_then(|value| serde_json::from_value::<Meta>(value.clone()).ok());
        match meta {
            Some(meta) => unix_time(self.end(&meta).0),
            None => self.clock.now().saturating_add(self.idle),
        }
    }

    /// How stale `last_seen` may get before a request writes it again: a tenth of the idle
    /// timeout, at most a minute, at least a second. Writing it on every request would cost a
    /// database write per asset; this way a session may end up to this much before the full
    /// idle timeout has passed.
    pub fn touch_every(&self) -> i64 {
        (self.idle.whole_seconds() / 10).clamp(1, 60)
    }

    /// Brings the session's [`Meta`] up to date after a page or server-function request ran
    /// (the middleware `web::lifetime::track` calls it): starts the bookkeeping of a new
    /// session, notes that a live one was used, keeps a remembered cookie persistent.
    /// `resigned`: the cookie came signed with an older key, and must be sent again (a save
    /// makes tower-sessions send it).
    pub async fn after_request(
        &self,
        session: &Session,
        user_agent: Option<&str>,
        resigned: bool,
    ) -> Result<(), tower_sessions::session::Error> {
        let now = self.now_unix();
        match session.get::<Meta>(META_KEY).await? {
            // A session born in this request (a flash, a preference): it starts now. A visitor
            // who only read pages has an empty session, and nothing is written.
            None if !session.is_empty().await => {
                session.insert(META_KEY, Meta::new(now, user_agent)).await?;
            }
            None => {}
            Some(mut meta) => {
                if now - meta.last_seen >= self.touch_every() {
                    meta.last_seen = now;
                    session.insert(META_KEY, &meta).await?;
                }
                if resigned {
                    // Marks the session modified (the same expiry): saved, and its cookie sent.
                    session.set_expiry(session.expiry());
                }
                // tower-sessions does not keep the cookie's expiry in the record: every request
                // starts with the layer's default (a browser-session cookie). A remembered
                // session whose cookie is about to be sent again must say so once more, or the
                // browser would turn it into a session cookie.
                if let Some(until) = meta.remembered_until
                    && session.is_modified()
                {
                    session.set_expiry(Some(Expiry::AtDateTime(unix_time(until))));
                }
            }
        }
        Ok(())
    }
}

/// Unix seconds as a date-time (the far future for values out of range).
pub fn unix_time(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::new_utc(
        tower_sessions::cookie::time::Date::MAX,
        tower_sessions::cookie::time::Time::MIDNIGHT,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetimes() -> Lifetimes {
        Lifetimes {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            remember: Duration::days(30),
            clock: Clock::system(),
        }
    }

    #[test]
    fn idle_ends_a_quiet_session() {
        let meta = Meta::new(1_000, None);
        assert_eq!(lifetimes().end(&meta), (1_000 + 30 * 60, Ending::Idle));
    }

    #[test]
    fn absolute_ends_a_busy_session() {
        let mut meta = Meta::new(0, None);
        meta.last_seen = 12 * 3600 - 60;
        assert_eq!(lifetimes().end(&meta), (12 * 3600, Ending::Absolute));
    }

    #[test]
    fn remembered_ignores_the_timeouts() {
        let mut meta = Meta::new(0, None);
        meta.remembered_until = Some(30 * 86_400);
        assert_eq!(lifetimes().end(&meta), (30 * 86_400, Ending::Remembered));
    }

    #[test]
    fn touch_interval_is_a_tenth_of_idle_within_bounds() {
        assert_eq!(lifetimes().touch_every(), 60);
        let short = Lifetimes {
            idle: Duration::seconds(3),
            ..lifetimes()
        };
        assert_eq!(short.touch_every(), 1);
        let medium = Lifetimes {
            idle: Duration::minutes(5),
            ..lifetimes()
        };
        assert_eq!(medium.touch_every(), 30);
    }

    #[test]
    fn a_long_user_agent_is_cut() {
        let meta = Meta::new(0, Some(&"x".repeat(1000)));
        assert_eq!(meta.user_agent.unwrap().len(), MAX_USER_AGENT_CHARS);
    }
}
