//! Session cookies signed with an older secret key (`SECRET_KEY_PREVIOUS`, read by
//! `server::secret`) keep their session, and go back to the browser signed with the
//! current key.
//!
//! [`resign`] runs just outside the session layer: a cookie the current key verifies passes
//! untouched; one that only an older key verifies is handed to the session layer signed with
//! the current key, and the request is marked [`Resigned`]. After a page or server function,
//! [`crate::session::lifetime::track`] then saves the session, which makes tower-sessions send the
//! cookie again (with its usual attributes and, for a remembered session, its expiry).
//! Anything no key verifies passes untouched, and reads as no session.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, header::COOKIE},
    middleware::Next,
    response::Response,
};
use tower_sessions::cookie::{Cookie, CookieJar, Key};

use super::state::AppState;
use crate::session::cookies::{CookieKeys, Resigned};

/// The most copies of the session cookie in one request that are checked against the keys.
const MAX_CHECKED: usize = 4;

/// Middleware (just outside the session layer): see the module's documentation.
pub async fn resign(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let name = state.cookies.session_cookie();
    if let Some(headers) = resigned_headers(request.headers(), &name, &state.cookie_keys) {
        let map = request.headers_mut();
        map.remove(COOKIE);
        for value in headers {
            map.append(COOKIE, value);
        }
        request.extensions_mut().insert(Resigned);
    }
    next.run(request).await
}

/// The `Cookie` headers with every `name` cookie that only an older key verifies signed with
/// the current key instead; `None` when there is nothing to change (the usual case).
fn resigned_headers(
    headers: &HeaderMap,
    name: &str,
    keys: &CookieKeys,
) -> Option<Vec<HeaderValue>> {
    if keys.older.is_empty() {
        return None;
    }
    let mut changed = false;
    let mut rewritten = Vec::new();
    // A request could pack its header with copies of the cookie; each costs an HMAC per key.
    let mut checks_left = MAX_CHECKED;
    for header in headers.get_all(COOKIE) {
        // UTF-8, as tower-cookies reads it (another cookie's value may hold any).
        let Ok(text) = std::str::from_utf8(header.as_bytes()) else {
            rewritten.push(header.clone());
            continue;
        };
        let pairs: Vec<String> = text
            .split(';')
            .map(|pair| {
                let resigned = pair
                    .trim()
                    .split_once('=')
                    .filter(|(cookie, _)| cookie.trim() == name)
                    .filter(|_| {
                        let check = checks_left > 0;
                        checks_left = checks_left.saturating_sub(1);
                        check
                    })
                    .and_then(|(_, value)| resign_value(name, value.trim(), keys));
                match resigned {
                    Some(value) => {
                        changed = true;
                        format!("{name}={value}")
                    }
                    None => pair.trim().to_owned(),
                }
            })
            .collect();
        rewritten.push(
            HeaderValue::from_bytes(pairs.join("; ").as_bytes()).unwrap_or_else(|_| header.clone()),
        );
    }
    changed.then_some(rewritten)
}

/// `value` signed with the current key, when the current key does not verify it and an older
/// one does.
fn resign_value(name: &str, value: &str, keys: &CookieKeys) -> Option<String> {
    let cookie = Cookie::new(name.to_owned(), value.to_owned());
    if verify(&keys.current, cookie.clone()).is_some() {
        return None;
    }
    let plain = keys
        .older
        .iter()
        .find_map(|key| verify(key, cookie.clone()))?;
    let mut jar = CookieJar::new();
    jar.signed_mut(&keys.current).add(plain);
    jar.get(name).map(|signed| signed.value().to_owned())
}

fn verify(key: &Key, cookie: Cookie<'static>) -> Option<Cookie<'static>> {
    CookieJar::new().signed(key).verify(cookie)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key: &Key, value: &str) -> String {
        let mut jar = CookieJar::new();
        jar.signed_mut(key)
            .add(Cookie::new("sid", value.to_owned()));
        jar.get("sid").unwrap().value().to_owned()
    }

    fn header(text: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(text).unwrap());
        headers
    }

    #[test]
    fn only_a_cookie_an_older_key_signed_is_rewritten() {
        let (current, old, stranger) = (Key::generate(), Key::generate(), Key::generate());
        let keys = CookieKeys {
            current: current.clone(),
            older: vec![old.clone()],
        };
        let fresh = signed(&current, "abc");
        assert_eq!(
            resigned_headers(&header(&format!("sid={fresh}")), "sid", &keys),
            None
        );
        let forged = signed(&stranger, "abc");
        assert_eq!(
            resigned_headers(&header(&format!("sid={forged}")), "sid", &keys),
            None
        );
        let stale = signed(&old, "abc");
        let rewritten = resigned_headers(
            &header(&format!("theme=dark; sid={stale}; x=1")),
            "sid",
            &keys,
        )
        .expect("rewritten");
        assert_eq!(
            rewritten,
            [
                HeaderValue::from_str(&format!("theme=dark; sid={}; x=1", signed(&current, "abc")))
                    .unwrap()
            ]
        );
        // Another cookie's UTF-8 value does not stop the rewrite.
        let mut utf8 = HeaderMap::new();
        utf8.insert(
            COOKIE,
            HeaderValue::from_bytes(format!("name=José; sid={stale}").as_bytes()).unwrap(),
        );
        let rewritten = resigned_headers(&utf8, "sid", &keys).expect("rewritten");
        assert_eq!(
            rewritten[0].as_bytes(),
            format!("name=José; sid={}", signed(&current, "abc")).as_bytes()
        );
    }
}
