//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): the
//! per-account log-in delay must not keep an account's owner out while a stranger keeps
//! failing.
//!
//! A successful log-in gives the browser a device cookie for that account: signed with the
//! app's key (so it cannot be forged), naming the account (by a hash of its user name key) and
//! a random device id. A log-in attempt that carries a valid device cookie for the account it
//! names is throttled only by that device's own failures; every other attempt shares the
//! account's delay, as before (see [`super::throttle`]). The cookie says nothing secret and
//! logs no one in: it only decides whose failures an attempt is counted with.

use axum::http::{HeaderMap, header::COOKIE};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, CookieJar, SameSite, time::Duration};

use crate::server::{config::Config, secret::CookieKeys};

/// How long a device cookie lasts; each log-in gives a fresh one.
pub const LIFETIME_DAYS: i64 = 365;

/// A device the request's cookie vouches for, for the account it logs in to: in the request's
/// extensions (set by the throttle), read when the attempt is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedDevice(pub String);

/// The cookie's name: `__Host-flashboard_device` when cookies are secure (see
/// [`Config::cookie_name`]).
pub fn cookie_name(config: &Config) -> String {
    if config.cookie_secure() {
        "__Host-flashboard_device".to_owned()
    } else {
        "flashboard_device".to_owned()
    }
}

/// What the cookie binds a device to: a hash of the account's user name key (the name itself
/// stays out of the browser's cookie store).
fn account_tag(username_key: &str) -> String {
    Sha256::digest(username_key.as_bytes())[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The device the request's device cookie names for `username_key`, if one of its cookies is
/// a device cookie signed with one of `keys` for that account.
pub fn trusted(
    headers: &HeaderMap,
    config: &Config,
    keys: &CookieKeys,
    username_key: &str,
) -> Option<TrustedDevice> {
    let name = cookie_name(config);
    let tag = account_tag(username_key);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|cookie| cookie.name() == name)
        .find_map(|cookie| {
            let cookie = cookie.into_owned();
            let value = std::iter::once(&keys.current)
                .chain(&keys.older)
                .find_map(|key| CookieJar::new().signed(key).verify(cookie.clone()))?;
            let (account, device) = value.value().split_once('.')?;
            (account == tag && !device.is_empty()).then(|| TrustedDevice(device.to_owned()))
        })
}

/// A `Set-Cookie` value with a fresh device cookie for `username_key`.
pub fn issue(config: &Config, keys: &CookieKeys, username_key: &str) -> String {
    let name = cookie_name(config);
    // 128 random bits, base64url: tower-sessions' session ids are exactly that.
    let device = tower_sessions::session::Id::default().to_string();
    let cookie = Cookie::build((
        name.clone(),
        format!("{}.{device}", account_tag(username_key)),
    ))
    .http_only(true)
    .secure(config.cookie_secure())
    // Only ever needed by the log-in form's own post.
    .same_site(SameSite::Strict)
    .path("/")
    .max_age(Duration::days(LIFETIME_DAYS));
    let mut jar = CookieJar::new();
    jar.signed_mut(&keys.current).add(cookie);
    jar.get(&name)
        .map(ToString::to_string)
        .expect("the cookie was just added")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn keys() -> CookieKeys {
        CookieKeys {
            current: tower_sessions::cookie::Key::generate(),
            older: vec![],
        }
    }

    fn request_with(set_cookie: &str) -> HeaderMap {
        let pair = set_cookie.split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).unwrap(),
        );
        headers
    }

    #[test]
    fn a_device_cookie_vouches_only_for_its_account_and_only_when_signed_by_us() {
        let config = Config::default();
        let keys = keys();
        let set_cookie = issue(&config, &keys, "alice");
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/",
            "Max-Age=",
        ] {
            assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
        }
        assert!(set_cookie.starts_with("__Host-flashboard_device="));
        assert!(
            !set_cookie.contains("alice"),
            "the name stays out: {set_cookie}"
        );
        let headers = request_with(&set_cookie);
        let device = trusted(&headers, &config, &keys, "alice").expect("trusted");
        assert_eq!(device.0.len(), 22);
        assert_eq!(
            trusted(&headers, &config, &keys, "bob"),
            None,
            "another account"
        );
        assert_eq!(
            trusted(&headers, &config, &self::keys(), "alice"),
            None,
            "another key"
        );
        // A cookie whose value was changed (say, to another account's tag) fails its signature.
        let tampered = set_cookie.replacen('=', "=0", 1);
        assert_eq!(
            trusted(&request_with(&tampered), &config, &keys, "alice"),
            None
        );
        // Each log-in gets a new device id.
        let again = request_with(&issue(&config, &keys, "alice"));
        assert_ne!(trusted(&again, &config, &keys, "alice"), Some(device));
    }
}
