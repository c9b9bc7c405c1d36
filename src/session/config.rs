//! `[session]`: the session cookie and the server-side records' lifetimes, as the settings file
//! states them (read by `server::config`, which also checks the rules between them).

use std::num::NonZeroU64;

use serde::{Deserialize, Serialize};

use crate::clock::Period;

/// `[session]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// The name of the session cookie. When the cookie is `Secure`, the browser sees it with the
    /// `__Host-` prefix (see [`super::cookies::CookieSettings`]).
    pub cookie_name: String,
    /// The cookie's `Secure` flag (sent over HTTPS only). Unset: on, except in dev mode.
    /// Production mode refuses `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// The cookie's `HttpOnly` flag (no access from JavaScript). Production mode refuses `false`.
    pub http_only: bool,
    /// The cookie's `SameSite`: `lax` (the default), `strict` or `none` (which needs `Secure`).
    pub same_site: SameSite,
    /// A session nobody used for this long ends, e.g. `30m` (not for remembered log-ins).
    pub idle_timeout: Period,
    /// A session ends this long after it started (or after its log-in) however busy it is,
    /// e.g. `12h` (not for remembered log-ins).
    pub absolute_timeout: Period,
    /// How long a "remember me" log-in lasts, e.g. `30days`.
    pub remember_lifetime: Period,
    /// How often the background task deletes expired session records, e.g. `1m`.
    pub sweep_interval: Period,
}

/// A cookie's `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SameSite {
    /// Sent on same-site requests only; a user who follows a link from another site arrives
    /// without their session.
    Strict,
    /// Also sent on top-level navigations from other sites (`GET`), never on their posts.
    Lax,
    /// Sent everywhere (needs `Secure`); a session cookie seldom wants this.
    None,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            cookie_name: "flashboard_session".into(),
            secure: None,
            http_only: true,
            same_site: SameSite::Lax,
            idle_timeout: minutes(30),
            absolute_timeout: minutes(12 * 60),
            remember_lifetime: minutes(30 * 24 * 60),
            sweep_interval: minutes(1),
        }
    }
}

/// `n` minutes (`n` at least 1).
const fn minutes(n: u64) -> Period {
    match NonZeroU64::new(n * 60) {
        Some(seconds) => Period::from_secs(seconds),
        None => panic!("a period of zero minutes"),
    }
}
