//! The visitor's two cookies as they travel: read from a request's `Cookie` headers (opened with
//! the current key or an older one, expired flashes dropped) and written back as `Set-Cookie`
//! values, encrypted, `HttpOnly`, `SameSite=Lax`, within [`MAX_JSON_BYTES`] each.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, HeaderValue, header::COOKIE};
use serde::{Serialize, de::DeserializeOwned};
use tower_sessions::cookie::{
    Cookie, CookieJar, SameSite,
    time::{Duration, OffsetDateTime},
};

use super::{
    cookies::{CookieKeys, CookieSettings},
    visitor::{
        FIRST_TO_GO, FLASH_COOKIE, Flashes, Inner, KEEP_DAYS, MAX_JSON_BYTES, Part, VALUES_COOKIE,
        Visitor,
    },
};

impl Visitor {
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
        // Most requests carry no visitor cookie: their headers are not parsed for it.
        .filter(|header| header.contains(name))
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
