//! The session middleware built from the `[session]` settings.

use tower_sessions::{
    Expiry, SessionManagerLayer,
    cookie::{Key, SameSite},
    service::SignedCookie,
};

use super::{SessionStore, config, cookies::CookieSettings};

/// The session middleware over the SQLite store, configured from the settings.
pub type SessionLayer = SessionManagerLayer<SessionStore, SignedCookie>;

/// The session middleware, from the settings: by default `HttpOnly`, `SameSite=Lax` (`Strict`
/// would drop the session when a user arrives from a link on another site), `Secure` with the
/// `__Host-` name unless in dev mode, `Path=/`, and signed with the app's secret key: a
/// tampered or forged cookie reads as no cookie at all (a fresh, anonymous session; never an
/// error, never an adopted id).
///
/// The cookie is a browser-session cookie (no `Max-Age`); a remembered log-in makes it
/// persistent (see [`super::lifetime`]), and the server ends every session on its own clock.
pub fn layer(store: SessionStore, cookies: &CookieSettings, key: Key) -> SessionLayer {
    let same_site = match cookies.same_site {
        config::SameSite::Strict => SameSite::Strict,
        config::SameSite::Lax => SameSite::Lax,
        config::SameSite::None => SameSite::None,
    };
    SessionManagerLayer::new(store)
        .with_name(cookies.session_cookie())
        .with_http_only(cookies.http_only)
        .with_same_site(same_site)
        .with_secure(cookies.secure)
        .with_path("/")
        .with_expiry(Expiry::OnSessionEnd)
        .with_signed(key)
}
