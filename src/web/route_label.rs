//! The pattern of the route a request was answered for (`/login`, `/api/login`), carried from
//! whatever knows it (the router's `MatchedPath`, the page cache) to `web::metrics::track`,
//! which runs outside the router and counts requests by it.

use std::sync::{Arc, OnceLock};

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
};

/// A slot in the request's extensions (shared with the copy the counting middleware keeps), so
/// the name survives any answer rebuilt on the way out.
#[derive(Clone, Default)]
pub struct RouteLabel(Arc<OnceLock<String>>);

impl RouteLabel {
    /// A new slot in `request`'s extensions; read it with [`RouteLabel::get`] after the answer.
    pub fn attach(request: &mut Request) -> Self {
        let label = Self::default();
        request.extensions_mut().insert(label.clone());
        label
    }

    /// The route's pattern, if anything named it.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// Names the route `request` is answered for (the first name given counts).
pub fn name(request: &Request, route: &str) {
    if let Some(label) = request.extensions().get::<RouteLabel>() {
        let _ = label.0.set(route.to_owned());
    }
}

/// Middleware (on each route, inside the router): names the matched route's pattern.
pub async fn from_matched_path(request: Request, next: Next) -> Response {
    if let Some(path) = request.extensions().get::<MatchedPath>() {
        name(&request, path.as_str());
    }
    next.run(request).await
}
