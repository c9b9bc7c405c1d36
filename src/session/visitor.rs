//! What a visitor without a server-side session keeps: small encrypted cookies, so that
//! anonymous traffic stores nothing on the server.
//!
//! A server-side session starts only at log-in. Before that (and after a log-out), the flashes
//! meant for the visitor ("Please log in first.", "Registered!") travel in the cookie
//! `flashboard_flash`, and the form input kept across a failed post and the chosen preferences
//! in `flashboard_visitor` (both `__Host-` prefixed when cookies are secure). Both are encrypted
//! and authenticated with the app's key (AES-256-GCM: they can be neither read nor forged),
//! `HttpOnly`, `SameSite=Lax`, with at most [`MAX_JSON_BYTES`] of content each (the oldest
//! flashes go first; the kept input before the preferences). Flashes expire [`FLASH_SECONDS`]
//! after the last push, the other cookie after [`KEEP_DAYS`]; an emptied cookie is deleted.
//! Two cookies, so that taking a flash never writes the preferences back: of two requests of
//! one browser, the one that finishes last sends only the cookie it changed.
//!
//! `web::visitor::carry` reads the cookies into a [`Visitor`] in the request's extensions and, after the
//! response, sends the ones that changed (a static file's answer, which may be cached publicly,
//! never carries them). One that no key opens is deleted; one that an
//! older key opened is sent again under the current key. The flash queue, the kept form input
//! and the preferences use the session when it has a stored record and the visitor otherwise.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use axum::http::{HeaderMap, HeaderValue, header::COOKIE, request::Parts};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use tower_sessions::cookie::{
    Cookie, CookieJar, SameSite,
    time::{Duration, OffsetDateTime},
};

use super::cookies::{CookieKeys, CookieSettings};

/// How long flashes wait in their cookie after the last push.
pub const FLASH_SECONDS: i64 = 600;
/// How long the cookie of preferences and kept input lives.
pub const KEEP_DAYS: i64 = 365;
/// The most JSON kept in one cookie (encrypted and base64-encoded it stays under the 4 KB
/// browsers keep per cookie).
pub const MAX_JSON_BYTES: usize = 2_800;
/// The cookies' names without the `__Host-` prefix: flashes, and everything else.
pub const FLASH_COOKIE: &str = "flashboard_flash";
pub const VALUES_COOKIE: &str = "flashboard_visitor";
/// The key of what goes first when the values outgrow their cookie (see `session::keys`).
const FIRST_TO_GO: &str = super::keys::FORM_INPUT_KEY;

/// A flash waiting in the cookie: `(id, category, message)`.
pub type CookieFlash = (i64, String, String);

/// The flash cookie's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Flashes {
    /// Waiting flashes, oldest first.
    #[serde(default, rename = "f")]
    queue: Vec<CookieFlash>,
    /// Unix seconds after which they are dropped.
    #[serde(default, rename = "u")]
    until: i64,
}

/// One cookie's state in a request.
#[derive(Debug, Default)]
struct Part<T> {
    content: T,
    /// The request brought the cookie (readable or not).
    arrived: bool,
    /// To be sent again: changed, opened with an older key, or unreadable (then deleted).
    changed: bool,
}

#[derive(Debug, Default)]
struct Inner {
    flashes: Part<Flashes>,
    values: Part<BTreeMap<String, Value>>,
    /// The clock's time when the request arrived (Unix seconds).
    now: i64,
}

/// The visitor state of one request (shared by its clones, as a `Session` is).
#[derive(Clone, Debug, Default)]
pub struct Visitor(Arc<Mutex<Inner>>);

impl Visitor {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The visitor of the request whose parts are in the Leptos context.
    pub fn from_context() -> Option<Self> {
        leptos::prelude::with_context::<Parts, _>(|parts| parts.extensions.get::<Self>().cloned())
            .flatten()
    }

    /// The value under `key`, if any (and readable as `T`).
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.with(|inner| inner.values.content.get(key).cloned())
            .and_then(|value| serde_json::from_value(value).ok())
    }

    /// Keeps `value` under `key`.
    pub fn insert<T: Serialize>(&self, key: &str, value: &T) {
        let Ok(value) = serde_json::to_value(value) else {
            return;
        };
        self.with(|inner| {
            if inner.values.content.get(key) != Some(&value) {
                inner.values.content.insert(key.to_owned(), value);
                inner.values.changed = true;
            }
        });
    }

    /// Removes `key`, returning its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.with(|inner| {
            let removed = inner.values.content.remove(key);
            inner.values.changed |= removed.is_some();
            removed
        })
    }

    /// Queues flashes (already checked and cut), keeping at most `max` waiting.
    pub fn push_flashes(&self, flashes: &[(&str, String)], max: usize) {
        self.with(|inner| {
            let now = inner.now;
            let part = &mut inner.flashes;
            let queue = &mut part.content.queue;
            // Ids increase with time and stay below the database's (which start at 1), so
            // they sort first and never collide with a flash row's.
            let first = queue
                .last()
                .map_or(i64::MIN, |(id, ..)| id + 1)
                .max(i64::MIN / 2 + now.saturating_mul(1024));
            for (id, (category, message)) in (first..).zip(flashes) {
                queue.push((id, (*category).to_owned(), message.clone()));
            }
            let excess = queue.len().saturating_sub(max);
            queue.drain(..excess);
            part.content.until = now + FLASH_SECONDS;
            part.changed = true;
        });
    }

    /// Whether flashes wait in the cookie.
    pub fn has_flashes(&self) -> bool {
        self.with(|inner| !inner.flashes.content.queue.is_empty())
    }

    /// Takes the waiting flashes, oldest first.
    pub fn take_flashes(&self) -> Vec<CookieFlash> {
        self.with(|inner| {
            let taken = std::mem::take(&mut inner.flashes.content.queue);
            inner.flashes.changed |= !taken.is_empty();
            taken
        })
    }

    /// Reads the visitor's cookies from `headers` (expired flashes dropped).
    pub fn read(
        headers: &HeaderMap,
        cookies: &CookieSettings,
        keys: &CookieKeys,
        now: i64,
    ) -> Self {
        let mut flashes: Part<Flashes> = open(headers, &cookies.name(FLASH_COOKIE), keys);
        if !flashes.content.queue.is_empty() && flashes.content.until <= now {
            flashes.content = Flashes::default();
            flashes.changed = true;
        }
        let values = open(headers, &cookies.name(VALUES_COOKIE), keys);
        Self(Arc::new(Mutex::new(Inner {
            flashes,
            values,
            now,
        })))
    }

    /// The `Set-Cookie` headers for the response: each cookie that changed, with its new
    /// content, or deleted once empty.
    pub fn set_cookies(&self, cookies: &CookieSettings, keys: &CookieKeys) -> Vec<HeaderValue> {
        let (flashes, values) = self.with(|inner| {
            let flashes = inner.flashes.changed.then(|| {
                let mut content = inner.flashes.content.clone();
                while fits(&content).is_none() && !content.queue.is_empty() {
                    content.queue.remove(0);
                }
                let lifetime = (content.until - inner.now).max(1);
                (
                    content.queue.is_empty(),
                    inner.flashes.arrived,
                    fits(&content),
                    lifetime,
                )
            });
            let values = inner.values.changed.then(|| {
                let mut content = inner.values.content.clone();
                if fits(&content).is_none() {
                    content.remove(FIRST_TO_GO);
                }
                (content.is_empty(), inner.values.arrived, fits(&content))
            });
            (flashes, values)
        });
        let mut headers = Vec::new();
        if let Some((empty, arrived, json, lifetime)) = flashes {
            headers.extend(cookie(
                FLASH_COOKIE,
                cookies,
                keys,
                empty,
                arrived,
                json,
                lifetime,
            ));
        }
        if let Some((empty, arrived, json)) = values {
            let lifetime = KEEP_DAYS * 24 * 3600;
            headers.extend(cookie(
                VALUES_COOKIE,
                cookies,
                keys,
                empty,
                arrived,
                json,
                lifetime,
            ));
        }
        headers
    }
}

/// `content` as JSON, if it fits in a cookie.
fn fits(content: &impl Serialize) -> Option<String> {
    serde_json::to_string(content)
        .ok()
        .filter(|json| json.len() <= MAX_JSON_BYTES)
}

/// Opens the cookie `name` from `headers` with any of `keys`: its content, and whether it must
/// be sent again (opened with an older key, or unreadable: then deleted).
fn open<T: DeserializeOwned + Default>(
    headers: &HeaderMap,
    name: &str,
    keys: &CookieKeys,
) -> Part<T> {
    let Some(cookie) = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| std::str::from_utf8(header.as_bytes()).ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(Cookie::into_owned)
    else {
        return Part::default();
    };
    let opened = std::iter::once(&keys.current)
        .chain(&keys.older)
        .enumerate()
        .find_map(|(n, key)| Some((n, CookieJar::new().private(key).decrypt(cookie.clone())?)))
        .and_then(|(n, plain)| Some((n, serde_json::from_str::<T>(plain.value()).ok()?)));
    match opened {
        Some((n, content)) => Part {
            content,
            arrived: true,
            changed: n > 0,
        },
        None => Part {
            content: T::default(),
            arrived: true,
            changed: true,
        },
    }
}

/// The `Set-Cookie` of the cookie `base`: `json` encrypted for `lifetime` seconds, or a
/// deletion when `empty` (when the request brought one), or nothing.
fn cookie(
    base: &str,
    cookies: &CookieSettings,
    keys: &CookieKeys,
    empty: bool,
    arrived: bool,
    json: Option<String>,
    lifetime: i64,
) -> Option<HeaderValue> {
    let name = cookies.name(base);
    let build = |value: String| {
        Cookie::build((name.clone(), value))
            .http_only(true)
            .secure(cookies.secure)
            .same_site(SameSite::Lax)
            .path("/")
    };
    if empty {
        let deletion = build(String::new())
            .max_age(Duration::ZERO)
            .expires(OffsetDateTime::UNIX_EPOCH);
        return arrived
            .then(|| HeaderValue::from_str(&deletion.build().to_string()).ok())
            .flatten();
    }
    let Some(json) = json else {
        tracing::warn!(cookie = base, "visitor cookie too large: not sent");
        return None;
    };
    let mut jar = CookieJar::new();
    jar.private_mut(&keys.current)
        .add(build(json).max_age(Duration::seconds(lifetime)));
    jar.get(&name)
        .and_then(|cookie| HeaderValue::from_str(&cookie.to_string()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> CookieKeys {
        CookieKeys {
            current: tower_sessions::cookie::Key::generate(),
            older: vec![],
        }
    }

    /// The request a browser sends after receiving `set_cookies`.
    fn next_request(set_cookies: &[HeaderValue]) -> HeaderMap {
        let pairs: Vec<&str> = set_cookies
            .iter()
            .map(|set| set.to_str().unwrap().split(';').next().unwrap())
            .collect();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&pairs.join("; ")).unwrap());
        headers
    }

    #[test]
    fn flashes_and_values_travel_encrypted_in_two_cookies_and_flashes_expire() {
        let (cookies, keys) = (CookieSettings::default(), keys());
        let first = Visitor::read(&HeaderMap::new(), &cookies, &keys, 1_000);
        assert!(
            first.set_cookies(&cookies, &keys).is_empty(),
            "nothing to send"
        );
        first.push_flashes(&[("warning", "Please log in first.".into())], 20);
        first.insert("preferences", &"dark");
        let set = first.set_cookies(&cookies, &keys);
        assert_eq!(set.len(), 2);
        for cookie in &set {
            let text = cookie.to_str().unwrap();
            assert!(
                !text.contains("Please log in") && !text.contains("dark"),
                "{text}"
            );
            for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age="] {
                assert!(text.contains(attribute), "{attribute}: {text}");
            }
        }

        let second = Visitor::read(&next_request(&set), &cookies, &keys, 1_100);
        assert!(second.has_flashes());
        assert_eq!(second.get::<String>("preferences").as_deref(), Some("dark"));
        assert_eq!(second.take_flashes()[0].2, "Please log in first.");
        // Taking the flashes sends only the flash cookie (deleted), never the preferences.
        let after = second.set_cookies(&cookies, &keys);
        assert_eq!(after.len(), 1);
        assert!(
            after[0]
                .to_str()
                .unwrap()
                .starts_with("__Host-flashboard_flash=;")
        );
        // Read after the flashes expired: they are gone, the preferences stay.
        let late = Visitor::read(&next_request(&set), &cookies, &keys, 1_000 + FLASH_SECONDS);
        assert!(!late.has_flashes());
        assert_eq!(late.get::<String>("preferences").as_deref(), Some("dark"));
        // Another key cannot read them, and they are deleted.
        let stranger = Visitor::read(&next_request(&set), &cookies, &self::keys(), 1_100);
        assert_eq!(stranger.get::<String>("preferences"), None);
        let deleted = stranger.set_cookies(&cookies, &keys);
        assert_eq!(deleted.len(), 2);
        assert!(
            deleted
                .iter()
                .all(|set| set.to_str().unwrap().contains("Max-Age=0"))
        );
    }

    #[test]
    fn a_cookie_opened_with_an_older_key_is_sent_again_with_the_current_one() {
        let cookies = CookieSettings::default();
        let old = keys();
        let visitor = Visitor::read(&HeaderMap::new(), &cookies, &old, 1_000);
        visitor.insert("preferences", &"dark");
        let set = visitor.set_cookies(&cookies, &old);
        let rotated = CookieKeys {
            current: tower_sessions::cookie::Key::generate(),
            older: vec![old.current.clone()],
        };
        let next = Visitor::read(&next_request(&set), &cookies, &rotated, 1_001);
        assert_eq!(next.get::<String>("preferences").as_deref(), Some("dark"));
        let again = next.set_cookies(&cookies, &rotated);
        let current_only = CookieKeys {
            current: rotated.current.clone(),
            older: vec![],
        };
        let last = Visitor::read(&next_request(&again), &cookies, &current_only, 1_002);
        assert_eq!(last.get::<String>("preferences").as_deref(), Some("dark"));
    }

    #[test]
    fn a_full_cookie_drops_its_oldest_flashes_then_the_kept_input() {
        let (cookies, keys) = (CookieSettings::default(), keys());
        let visitor = Visitor::read(&HeaderMap::new(), &cookies, &keys, 1_000);
        let long = "x".repeat(500);
        let flashes: Vec<(&str, String)> = (0..20).map(|_| ("info", long.clone())).collect();
        visitor.push_flashes(&flashes, 20);
        visitor.insert("preferences", &"dark");
        visitor.insert(FIRST_TO_GO, &"\u{1}".repeat(3_000));
        let set = visitor.set_cookies(&cookies, &keys);
        assert!(set.iter().all(|cookie| cookie.len() < 4096));
        let next = Visitor::read(&next_request(&set), &cookies, &keys, 1_001);
        let kept = next.take_flashes();
        assert!(!kept.is_empty() && kept.len() < 20, "{} kept", kept.len());
        let ids: Vec<i64> = kept.iter().map(|(id, ..)| *id).collect();
        assert!(
            ids.windows(2).all(|pair| pair[0] < pair[1]),
            "oldest first: {ids:?}"
        );
        assert!(ids.iter().all(|id| *id < 0));
        assert_eq!(next.get::<String>("preferences").as_deref(), Some("dark"));
        assert_eq!(
            next.get::<String>(FIRST_TO_GO),
            None,
            "the kept input went first"
        );
    }
}
