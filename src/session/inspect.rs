//! What the session inspector behind `/session` shows (the server function that gathers it is
//! `api::inspector`): what the server keeps for the current session, the cookie that points at
//! it, and when and why it ends. The id itself is never shown, only a
//! fingerprint (a hash prefix) to tell sessions apart.

use serde::{Deserialize, Serialize};

use crate::text::Stamp;

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
    pub persistent_until: Option<Stamp>,
}

/// What the inspector shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionReport {
    /// The first 64 bits of the SHA-256 of the session id, in hex.
    pub fingerprint: String,
    /// Every key of the session data with its value as JSON, by key.
    pub entries: Vec<(String, String)>,
    pub cookie: CookieFacts,
    /// When the session started, was last used, and ends.
    pub started_at: Stamp,
    pub last_seen: Stamp,
    pub expires_at: Stamp,
    pub ending: Ending,
    /// The timeout behind `ending` in the viewer's words (`30 minutes`); empty when remembered.
    pub timeout: String,
}
