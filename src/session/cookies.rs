//! The app's cookies (the session's, the visitor's, the trusted device's): how they are set,
//! settled once at start-up from `[session]` and the mode, and the keys that sign and encrypt
//! them (derived from the secret key by `server::secret`).

use tower_sessions::cookie::Key;

use super::config::{SameSite, SessionConfig};

/// How the app sets its cookies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieSettings {
    /// The session cookie's name as configured (without a prefix).
    pub session_base: String,
    /// `Secure` (HTTPS only): as set, else on except in dev mode.
    pub secure: bool,
    /// The session cookie's `HttpOnly`.
    pub http_only: bool,
    /// The session cookie's `SameSite`.
    pub same_site: SameSite,
}

impl CookieSettings {
    /// From the `[session]` settings; `dev` is the explicit development mode.
    pub fn new(config: &SessionConfig, dev: bool) -> Self {
        Self {
            session_base: config.cookie_name.clone(),
            secure: config.secure.unwrap_or(!dev),
            http_only: config.http_only,
            same_site: config.same_site,
        }
    }

    /// The name the browser sees for the cookie `base`: `__Host-<base>` when secure, which
    /// browsers accept only with `Secure`, `Path=/` and no `Domain`, so that no other host (a
    /// subdomain, say) and no plain-HTTP page can plant or overwrite it.
    pub fn name(&self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// The session cookie's name as the browser sees it.
    pub fn session_cookie(&self) -> String {
        self.name(&self.session_base)
    }
}

/// The production defaults.
impl Default for CookieSettings {
    fn default() -> Self {
        Self::new(&SessionConfig::default(), false)
    }
}

/// The keys for the app's signed cookies: the current one signs; the older ones (from previous
/// secrets) only verify.
#[derive(Clone)]
pub struct CookieKeys {
    /// Signs every cookie sent, and verifies.
    pub current: Key,
    /// Verify only, in order.
    pub older: Vec<Key>,
}

impl std::fmt::Debug for CookieKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CookieKeys([redacted], {} older)", self.older.len())
    }
}

/// In a request's extensions: its session cookie was signed with an older key, and has been
/// signed again with the current one (by `web::resign`); the session is to be saved, so that
/// the browser gets the cookie anew.
#[derive(Clone, Copy, Debug)]
pub struct Resigned;
