//! What a visitor without a server-side session keeps: a small encrypted cookie (Django's cookie
//! message storage, and Flask's own signed-cookie session, for the little an anonymous visitor
//! has), so that anonymous traffic stores nothing on the server.
//!
//! A server-side session starts only at log-in. Before that (and after a log-out), the flashes
//! meant for the visitor ("Please log in first.", "Registered!"), the form input kept across a
//! failed post and the chosen preferences travel in the cookie `flashboard_visitor`
//! (`__Host-` prefixed when cookies are secure): encrypted and authenticated with the app's key
//! (AES-256-GCM, so it can be neither read nor forged), `HttpOnly`, `SameSite=Lax`, at most
//! [`MAX_JSON_BYTES`] of content (the oldest flashes go first). Flashes in it expire
//! [`FLASH_SECONDS`] after the last push; the cookie lives [`KEEP_DAYS`] when it holds anything
//! else, until the flashes expire otherwise, and is deleted once empty.
//!
//! [`carry`] reads the cookie into a [`Visitor`] in the request's extensions and, after the
//! response, sends it again when it changed. The flash queue, the kept form input and the
//! preferences use the session when it has a stored record and the visitor otherwise.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Request, State},
    http::{
        HeaderMap, HeaderValue,
        header::{COOKIE, SET_COOKIE},
        request::Parts,
    },
    middleware::Next,
    response::Response,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use tower_sessions::cookie::{Cookie, CookieJar, SameSite, time::Duration};

use crate::server::{config::Config, secret::CookieKeys, state::AppState};

/// How long flashes wait in the cookie after the last push.
pub const FLASH_SECONDS: i64 = 600;
/// How long the cookie lives when it holds more than flashes (preferences, kept input).
pub const KEEP_DAYS: i64 = 365;
/// The most JSON kept in the cookie (encrypted and base64-encoded it stays under the 4 KB
/// browsers keep per cookie).
pub const MAX_JSON_BYTES: usize = 2_800;

/// The cookie's name without the `__Host-` prefix.
pub const COOKIE_BASE_NAME: &str = "flashboard_visitor";

/// The cookie's name: `__Host-` prefixed when cookies are secure.
pub fn cookie_name(config: &Config) -> String {
    if config.cookie_secure() {
        format!("__Host-{COOKIE_BASE_NAME}")
    } else {
        COOKIE_BASE_NAME.to_owned()
    }
}

/// A flash waiting in the cookie: `(id, category, message)`.
pub type CookieFlash = (i64, String, String);

/// The cookie's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Content {
    /// Waiting flashes, oldest first.
    #[serde(default, rename = "f", skip_serializing_if = "Vec::is_empty")]
    flashes: Vec<CookieFlash>,
    /// Unix seconds after which the flashes are dropped.
    #[serde(default, rename = "u")]
    flashes_until: i64,
    /// Other keys, as in a session.
    #[serde(default, rename = "v", skip_serializing_if = "BTreeMap::is_empty")]
    values: BTreeMap<String, Value>,
}

impl Content {
    fn is_empty(&self) -> bool {
        self.flashes.is_empty() && self.values.is_empty()
    }
}

#[derive(Debug, Default)]
struct Inner {
    content: Content,
    /// The request brought a cookie.
    arrived: bool,
    changed: bool,
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
        self.with(|state| state.content.values.get(key).cloned())
            .and_then(|value| serde_json::from_value(value).ok())
    }

    /// Keeps `value` under `key`.
    pub fn insert<T: Serialize>(&self, key: &str, value: &T) {
        let Ok(value) = serde_json::to_value(value) else {
            return;
        };
        self.with(|state| {
            if state.content.values.get(key) != Some(&value) {
                state.content.values.insert(key.to_owned(), value);
                state.changed = true;
            }
        });
    }

    /// Removes `key`, returning its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.with(|state| {
            let removed = state.content.values.remove(key);
            state.changed |= removed.is_some();
            removed
        })
    }

    /// Queues flashes (already checked and cut), keeping at most `max` waiting.
    pub fn push_flashes(&self, flashes: &[(&str, String)], max: usize) {
        self.with(|state| {
            let now = state.now;
            let queue = &mut state.content.flashes;
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
            state.content.flashes_until = now + FLASH_SECONDS;
            state.changed = true;
        });
    }

    /// Whether flashes wait in the cookie.
    pub fn has_flashes(&self) -> bool {
        self.with(|state| !state.content.flashes.is_empty())
    }

    /// Takes the waiting flashes, oldest first.
    pub fn take_flashes(&self) -> Vec<CookieFlash> {
        self.with(|state| {
            let taken = std::mem::take(&mut state.content.flashes);
            state.changed |= !taken.is_empty();
            taken
        })
    }

    /// Reads the visitor's cookie `name` from `headers` (decrypted with any of `keys`; expired
    /// flashes dropped): an unreadable or forged one counts as none.
    fn read(headers: &HeaderMap, name: &str, keys: &CookieKeys, now: i64) -> Self {
        let content = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|header| std::str::from_utf8(header.as_bytes()).ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .filter(|cookie| cookie.name() == name)
            .take(4)
            .find_map(|cookie| {
                let cookie = cookie.into_owned();
                let plain = std::iter::once(&keys.current)
                    .chain(&keys.older)
                    .find_map(|key| CookieJar::new().private(key).decrypt(cookie.clone()))?;
                serde_json::from_str::<Content>(plain.value()).ok()
            });
        let arrived = content.is_some();
        let mut content = content.unwrap_or_default();
        let mut changed = false;
        if !content.flashes.is_empty() && content.flashes_until <= now {
            content.flashes.clear();
            changed = true;
        }
        Self(Arc::new(Mutex::new(Inner {
            content,
            arrived,
            changed,
            now,
        })))
    }

    /// The `Set-Cookie` for the response, when the content changed: the new content, or a
    /// deletion once empty.
    fn set_cookie(&self, name: &str, config: &Config, keys: &CookieKeys) -> Option<HeaderValue> {
        let (mut content, arrived, now) = self.with(|state| {
            state
                .changed
                .then(|| (state.content.clone(), state.arrived, state.now))
        })?;
        let mut json = serde_json::to_string(&content).ok()?;
        while json.len() > MAX_JSON_BYTES && !content.flashes.is_empty() {
            content.flashes.remove(0);
            json = serde_json::to_string(&content).ok()?;
        }
        if json.len() > MAX_JSON_BYTES {
            tracing::warn!(bytes = json.len(), "visitor cookie too large: not kept");
            content = Content::default();
        }
        let mut cookie = Cookie::build((name.to_owned(), json))
            .http_only(true)
            .secure(config.cookie_secure())
            .same_site(SameSite::Lax)
            .path("/");
        if content.is_empty() {
            if !arrived {
                return None;
            }
            cookie = cookie
                .max_age(Duration::ZERO)
                .expires(tower_sessions::cookie::time::OffsetDateTime::UNIX_EPOCH);
            return HeaderValue::from_str(&cookie.build().to_string()).ok();
        }
        let max_age = if content.values.is_empty() {
            (content.flashes_until - now).max(1)
        } else {
            KEEP_DAYS * 24 * 3600
        };
        cookie = cookie.max_age(Duration::seconds(max_age));
        let mut jar = CookieJar::new();
        jar.private_mut(&keys.current).add(cookie);
        jar.get(name)
            .and_then(|cookie| HeaderValue::from_str(&cookie.to_string()).ok())
    }
}

/// Middleware (outside the session layer): reads the visitor cookie into a [`Visitor`] in the
/// request's extensions, and sends it again when the request changed it (not after a server
/// error, as tower-sessions does not save a session then either).
pub async fn carry(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let name = cookie_name(&state.config);
    let visitor = Visitor::read(
        request.headers(),
        &name,
        &state.cookie_keys,
        state.lifetimes.now_unix(),
    );
    request.extensions_mut().insert(visitor.clone());
    let mut response = next.run(request).await;
    if !response.status().is_server_error()
        && let Some(value) = visitor.set_cookie(&name, &state.config, &state.cookie_keys)
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
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

    /// The request a browser sends after receiving `set_cookie`.
    fn next_request(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(pair).unwrap());
        headers
    }

    #[test]
    fn flashes_and_values_travel_encrypted_and_flashes_expire() {
        let (config, keys) = (Config::default(), keys());
        let name = cookie_name(&config);
        let first = Visitor::read(&HeaderMap::new(), &name, &keys, 1_000);
        assert_eq!(
            first.set_cookie(&name, &config, &keys),
            None,
            "nothing to send"
        );
        first.push_flashes(&[("warning", "Please log in first.".into())], 20);
        first.insert("preferences", &"dark");
        let set = first.set_cookie(&name, &config, &keys).unwrap();
        let text = set.to_str().unwrap();
        assert!(!text.contains("Please log in"), "encrypted: {text}");
        for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age="] {
            assert!(text.contains(attribute), "{attribute}: {text}");
        }

        let second = Visitor::read(&next_request(&set), &name, &keys, 1_100);
        assert!(second.has_flashes());
        assert_eq!(second.get::<String>("preferences").as_deref(), Some("dark"));
        let taken = second.take_flashes();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].2, "Please log in first.");
        // Read after the flashes expired: they are gone, the preferences stay.
        let late = Visitor::read(&next_request(&set), &name, &keys, 1_000 + FLASH_SECONDS);
        assert!(!late.has_flashes());
        assert_eq!(late.get::<String>("preferences").as_deref(), Some("dark"));
        // Another key cannot read it.
        let stranger = Visitor::read(&next_request(&set), &name, &self::keys(), 1_100);
        assert_eq!(stranger.get::<String>("preferences"), None);
    }

    #[test]
    fn an_emptied_cookie_is_deleted_and_a_full_one_drops_its_oldest_flashes() {
        let (config, keys) = (Config::default(), keys());
        let name = cookie_name(&config);
        let visitor = Visitor::read(&HeaderMap::new(), &name, &keys, 1_000);
        let long = "x".repeat(500);
        let flashes: Vec<(&str, String)> = (0..20).map(|_| ("info", long.clone())).collect();
        visitor.push_flashes(&flashes, 20);
        let set = visitor.set_cookie(&name, &config, &keys).unwrap();
        assert!(set.len() < 4096, "{} bytes", set.len());
        let next = Visitor::read(&next_request(&set), &name, &keys, 1_001);
        let kept = next.take_flashes();
        assert!(!kept.is_empty() && kept.len() < 20, "{} kept", kept.len());
        let ids: Vec<i64> = kept.iter().map(|(id, ..)| *id).collect();
        assert!(
            ids.windows(2).all(|pair| pair[0] < pair[1]),
            "oldest first: {ids:?}"
        );
        assert!(ids.iter().all(|id| *id < 0));
        let delete = next.set_cookie(&name, &config, &keys).unwrap();
        assert!(delete.to_str().unwrap().contains("Max-Age=0"), "{delete:?}");
    }
}
