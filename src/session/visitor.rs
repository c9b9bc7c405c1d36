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

use axum::http::request::Parts;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::db::flashes::NewFlash;

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
pub(super) const FIRST_TO_GO: &str = super::keys::FORM_INPUT_KEY;

/// A flash waiting in the cookie, kept as a flash row keeps it (`db::flashes::Row`):
/// `(id, category, words, msg)`, `msg` being the catalogue message as JSON (rendered in the
/// viewer's language when shown; `None` for verbatim text) and `words` its English.
pub type CookieFlash = (i64, String, String, Option<String>);

/// The flash cookie's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Flashes {
    /// Waiting flashes, oldest first.
    #[serde(default, rename = "f", deserialize_with = "cookie_flashes")]
    pub(super) queue: Vec<CookieFlash>,
    /// Unix seconds after which they are dropped.
    #[serde(default, rename = "u")]
    pub(super) until: i64,
}

/// Reads the queue, also as cookies made before flashes had keys wrote it (`(id, category,
/// words)`).
fn cookie_flashes<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<CookieFlash>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Keyed(i64, String, String, Option<String>),
        Words(i64, String, String),
    }
    Ok(Vec::<Stored>::deserialize(deserializer)?
        .into_iter()
        .map(|stored| match stored {
            Stored::Keyed(id, category, words, msg) => (id, category, words, msg),
            Stored::Words(id, category, words) => (id, category, words, None),
        })
        .collect())
}

/// One cookie's state in a request.
#[derive(Debug, Default)]
pub(super) struct Part<T> {
    pub(super) content: T,
    /// The request brought the cookie (readable or not).
    pub(super) arrived: bool,
    /// To be sent again: changed, opened with an older key, or unreadable (then deleted).
    pub(super) changed: bool,
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) flashes: Part<Flashes>,
    pub(super) values: Part<BTreeMap<String, Value>>,
    /// The clock's time when the request arrived (Unix seconds).
    pub(super) now: i64,
}

/// The visitor state of one request (shared by its clones, as a `Session` is).
#[derive(Clone, Debug, Default)]
pub struct Visitor(pub(super) Arc<Mutex<Inner>>);

impl Visitor {
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
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
    pub fn push_flashes(&self, flashes: &[NewFlash<'_>], max: usize) {
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
            for (id, flash) in (first..).zip(flashes) {
                queue.push((
                    id,
                    flash.category.to_owned(),
                    flash.message.clone(),
                    flash.msg.clone(),
                ));
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
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header::COOKIE};

    use super::*;
    use crate::session::cookies::{CookieKeys, CookieSettings};

    fn keys() -> CookieKeys {
        CookieKeys {
            current: tower_sessions::cookie::Key::generate(),
            older: vec![],
        }
    }

    fn words<'a>(category: &'a str, message: &str) -> NewFlash<'a> {
        NewFlash {
            category,
            message: message.to_owned(),
            msg: None,
        }
    }

    #[test]
    fn queues_written_before_flashes_had_keys_are_still_read() {
        let old: Flashes = serde_json::from_str(r#"{"f":[[1,"info","Hi"]],"u":9}"#).unwrap();
        assert_eq!(old.queue, [(1, "info".into(), "Hi".into(), None)]);
        let keyed = Flashes {
            queue: vec![(2, "error".into(), "x".into(), Some(r#"{"key":"k"}"#.into()))],
            until: 9,
        };
        let json = serde_json::to_string(&keyed).unwrap();
        assert_eq!(serde_json::from_str::<Flashes>(&json).unwrap(), keyed);
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
        first.push_flashes(&[words("warning", "Please log in first.")], 20);
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
        let flashes: Vec<NewFlash> = (0..20).map(|_| words("info", &long)).collect();
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
