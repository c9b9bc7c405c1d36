//! Pages for visitors without a session: rendered once per path and language, then served as a
//! copy with a fresh nonce.
//!
//! A visitor without a session cookie or a visitor cookie (`session::visitor`) has no flashes,
//! no preferences, no user and no kept form input, so every such visitor whose `Accept-Language`
//! asks for the same language gets the same `/login` (or `/`, `/register`, ...) byte for byte,
//! except for the CSP nonce Leptos puts on its inline scripts. Rendering it costs the reactive
//! system a few hundred microseconds of CPU; copying it costs a few. The first such request for
//! a path renders as usual and its answer is kept with the nonce cut out; later ones get the copy
//! with a new nonce (made by Leptos' own generator) and the Content-Security-Policy that names it.
//!
//! What is kept, and why that is safe:
//! - Only `GET` requests without a query string and without a session or visitor cookie (valid
//!   or not: a stale cookie must still be told that its session ended).
//! - Only paths of the app's own routes, never the pages that need a user, so the cache holds at
//!   most one entry per route and language whatever clients send.
//! - Only a `200` HTML answer that sets no cookie and whose policy carries a nonce.
//! - The rule for pages: what a page shows a visitor without a session may depend on its path
//!   and language alone (no per-request data, no database contents). A page that needs more for anonymous
//!   visitors must set a cookie or be left out of [`PageCache::new`]'s paths.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{
        HeaderValue, Method, StatusCode,
        header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, SET_COOKIE},
    },
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;

use super::{csp::content_security_policy, language};
use crate::text::Lang;

/// The kept pages, by path and language. Cheap to clone.
#[derive(Clone)]
pub struct PageCache(Arc<Inner>);

struct Inner {
    /// The paths whose anonymous page may be kept.
    paths: HashSet<String>,
    /// The cookies (session, visitor) a request that carries one of is never served from here.
    cookie_names: Vec<String>,
    dev: bool,
    pages: RwLock<HashMap<(String, Lang), Arc<Page>>>,
    served: AtomicU64,
}

/// One kept page: the body cut at each place the nonce was.
struct Page {
    content_type: HeaderValue,
    pieces: Vec<Bytes>,
}

impl PageCache {
    /// A cache for `paths`; requests carrying one of the cookies `cookie_names` pass by. `dev`
    /// as in [`content_security_policy`].
    pub fn new(paths: impl IntoIterator<Item = String>, cookie_names: &[&str], dev: bool) -> Self {
        Self(Arc::new(Inner {
            paths: paths.into_iter().collect(),
            cookie_names: cookie_names.iter().map(|name| (*name).to_owned()).collect(),
            dev,
            pages: RwLock::default(),
            served: AtomicU64::new(0),
        }))
    }

    /// How many answers were served from the cache (for tests and the curious).
    pub fn served(&self) -> u64 {
        self.0.served.load(Ordering::Relaxed)
    }

    /// Whether `request` is one that a kept page may answer.
    fn applies_to(&self, request: &Request) -> bool {
        request.method() == Method::GET
            && request.uri().query().is_none()
            && self.0.paths.contains(request.uri().path())
            && !request.headers().get_all(COOKIE).iter().any(|value| {
                self.0
                    .cookie_names
                    .iter()
                    .any(|name| carries_cookie(value.as_bytes(), name))
            })
    }

    fn get(&self, key: &(String, Lang)) -> Option<Arc<Page>> {
        let pages = self.0.pages.read().unwrap_or_else(|e| e.into_inner());
        pages.get(key).cloned()
    }

    fn keep(&self, key: (String, Lang), page: Page) {
        let mut pages = self.0.pages.write().unwrap_or_else(|e| e.into_inner());
        pages.insert(key, Arc::new(page));
    }
}

/// Whether a `Cookie` header names `name` (with or without the `__Host-` prefix).
fn carries_cookie(header: &[u8], name: &str) -> bool {
    header.split(|&b| b == b';').any(|pair| {
        let key = pair.split(|&b| b == b'=').next().unwrap_or_default();
        let key = key.trim_ascii();
        key == name.as_bytes() || key.strip_prefix(b"__Host-") == Some(name.as_bytes())
    })
}

/// Middleware: answers from the cache when it can, and keeps what it may keep.
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    if !cache.applies_to(&request) {
        return next.run(request).await;
    }
    // Without a session there is no chosen language: the header decides (`web::language`).
    let key = (
        request.uri().path().to_owned(),
        Lang::of_headers(request.headers()),
    );
    if let Some(page) = cache.get(&key) {
        cache.0.served.fetch_add(1, Ordering::Relaxed);
        let mut response = page.answer(cache.0.dev);
        language::label(&mut response, key.1);
        return response;
    }
    let response = next.run(request).await;
    let Some(nonce) = keepable_nonce(&response) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "page render failed while streaming");
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::empty())
                .unwrap_or_default();
        }
    };
    if let Some(content_type) = parts.headers.get(CONTENT_TYPE) {
        cache.keep(
            key,
            Page {
                content_type: content_type.clone(),
                pieces: cut(&bytes, nonce.as_bytes()),
            },
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The nonce of a response that may be kept: `200`, HTML, no cookie set, a nonce policy.
fn keepable_nonce(response: &Response) -> Option<String> {
    let headers = response.headers();
    let html = headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if response.status() != StatusCode::OK || !html || headers.contains_key(SET_COOKIE) {
        return None;
    }
    let policy = headers.get(CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let end = start + policy[start..].find('\'')?;
    Some(policy[start..end].to_owned())
}

/// `bytes` split at every occurrence of `mark`.
fn cut(bytes: &Bytes, mark: &[u8]) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut from = 0;
    let mut at = 0;
    while at + mark.len() <= bytes.len() {
        if &bytes[at..at + mark.len()] == mark {
            pieces.push(bytes.slice(from..at));
            at += mark.len();
            from = at;
        } else {
            at += 1;
        }
    }
    pieces.push(bytes.slice(from..));
    pieces
}

impl Page {
    /// The page with a new nonce in every place the old one was, and the policy naming it.
    fn answer(&self, dev: bool) -> Response {
        let nonce = Nonce::new();
        let length = self.pieces.iter().map(Bytes::len).sum::<usize>()
            + nonce.len() * (self.pieces.len() - 1);
        let mut body = Vec::with_capacity(length);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut response = Response::new(Body::from(body));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, self.content_type.clone());
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(Some(&*nonce), dev)) {
            headers.insert(CONTENT_SECURITY_POLICY, policy);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_every_mark() {
        let pieces = cut(&Bytes::from_static(b"a NN b NN"), b"NN");
        assert_eq!(pieces, ["a ", " b ", ""]);
        assert_eq!(cut(&Bytes::from_static(b"none"), b"NN"), ["none"]);
    }

    #[test]
    fn recognises_the_session_cookie_by_name_only() {
        assert!(carries_cookie(
            b"flashboard_session=abc",
            "flashboard_session"
        ));
        assert!(carries_cookie(
            b"theme=x; __Host-flashboard_session=abc",
            "flashboard_session"
        ));
        assert!(!carries_cookie(
            b"flashboard_session_x=1",
            "flashboard_session"
        ));
        assert!(!carries_cookie(
            b"other=flashboard_session",
            "flashboard_session"
        ));
    }
}
