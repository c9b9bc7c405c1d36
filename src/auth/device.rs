//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): the
//! per-account log-in delay must not keep an account's owner out while a stranger keeps
//! failing.
//!
//! A successful log-in gives the browser a device cookie for that account: encrypted and
//! authenticated with the app's key (so it can be neither read nor forged), naming the account
//! (by a hash of its user name key), a random device id and when it was issued (refused after
//! [`LIFETIME_DAYS`], whatever the browser keeps). A log-in attempt that carries a valid device
//! cookie for the account it names is throttled only by that device's own failures; every other
//! attempt shares the account's delay (see [`super::throttle`]). A device with
//! [`LOCKOUT_FAILURES`] failures in the last hour is trusted no more: its attempts share the
//! account's delay, as OWASP's scheme locks out a device cookie. The cookie logs no one in: it
//! only decides whose failures an attempt is counted with.

use axum::http::{HeaderMap, header::COOKIE};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, CookieJar, SameSite, time::Duration};

use crate::session::cookies::{CookieKeys, CookieSettings};

/// How long a device cookie lasts; each log-in gives a fresh one.
pub const LIFETIME_DAYS: i64 = 365;
/// Failures in an hour after which a device is trusted no more (its five free ones, and five
/// more at growing delays).
pub const LOCKOUT_FAILURES: i64 = 10;

/// A device the request's cookie vouches for, for the account it logs in to: in the request's
/// extensions (set by the throttle), read when the attempt is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedDevice(pub String);

/// The cookie's name (`__Host-` prefixed when cookies are secure).
pub const COOKIE_NAME: &str = "flashboard_device";

/// What the cookie binds a device to: a hash of the account's user name key (the name itself
/// stays out of the browser's cookie store).
fn account_tag(username_key: &str) -> String {
    Sha256::digest(username_key.as_bytes())[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The device the request's device cookie names for `username_key`, if one of its cookies is
/// a device cookie from one of `keys` for that account, issued less than [`LIFETIME_DAYS`]
/// before `now`.
pub fn trusted(
    headers: &HeaderMap,
    cookies: &CookieSettings,
    keys: &CookieKeys,
    username_key: &str,
    now: i64,
) -> Option<TrustedDevice> {
    let name = cookies.name(COOKIE_NAME);
    let tag = account_tag(username_key);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|cookie| cookie.name() == name)
        .take(4)
        .find_map(|cookie| {
            let cookie = cookie.into_owned();
            let value = std::iter::once(&keys.current)
                .chain(&keys.older)
                .find_map(|key| CookieJar::new().private(key).decrypt(cookie.clone()))?;
            let mut parts = value.value().split('.');
            let (account, device, issued) = (parts.next()?, parts.next()?, parts.next()?);
            let issued: i64 = issued.parse().ok()?;
            let fresh = now.saturating_sub(issued) < LIFETIME_DAYS * 24 * 3600;
            (account == tag && !device.is_empty() && fresh)
                .then(|| TrustedDevice(device.to_owned()))
        })
}

/// A `Set-Cookie` value with a fresh device cookie for `username_key`, issued `now`.
pub fn issue(cookies: &CookieSettings, keys: &CookieKeys, username_key: &str, now: i64) -> String {
    let name = cookies.name(COOKIE_NAME);
    // 128 random bits, base64url: tower-sessions' session ids are exactly that.
    let device = tower_sessions::session::Id::default().to_string();
    let value = format!("{}.{device}.{now}", account_tag(username_key));
    let cookie = Cookie::build((name.clone(), value))
        .http_only(true)
        .secure(cookies.secure)
        // Only ever needed by the log-in form's own post.
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(Duration::days(LIFETIME_DAYS));
    let mut jar = CookieJar::new();
    jar.private_mut(&keys.current).add(cookie);
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

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_device_cookie_vouches_only_for_its_account_while_fresh_and_only_from_us() {
        let cookies = CookieSettings::default();
        let keys = keys();
        let set_cookie = issue(&cookies, &keys, "alice", NOW);
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
        let headers = request_with(&set_cookie);
        let device = trusted(&headers, &cookies, &keys, "alice", NOW).expect("trusted");
        assert_eq!(device.0.len(), 22);
        assert!(!set_cookie.contains(&device.0), "encrypted: {set_cookie}");
        assert_eq!(
            trusted(&headers, &cookies, &keys, "bob", NOW),
            None,
            "another account"
        );
        let stranger = self::keys();
        assert_eq!(
            trusted(&headers, &cookies, &stranger, "alice", NOW),
            None,
            "another key"
        );
        // Too old, whatever the browser kept.
        let year = LIFETIME_DAYS * 24 * 3600;
        assert_eq!(
            trusted(&headers, &cookies, &keys, "alice", NOW + year),
            None
        );
        // A cookie whose value was changed fails its authentication.
        let tampered = set_cookie.replacen('=', "=0", 1);
        assert_eq!(
            trusted(&request_with(&tampered), &cookies, &keys, "alice", NOW),
            None
        );
        // Each log-in gets a new device id.
        let again = request_with(&issue(&cookies, &keys, "alice", NOW));
        assert_ne!(trusted(&again, &cookies, &keys, "alice", NOW), Some(device));
    }
}
