//! The middleware that carries a visitor's cookie state ([`Visitor`]: flashes, preferences and
//! kept input of a visitor without a server-side session) through a request.

use axum::{
    extract::{Request, State},
    http::header::SET_COOKIE,
    middleware::Next,
    response::Response,
};

use super::state::AppState;
use crate::session::visitor::Visitor;

/// Middleware (outside the session layer): reads the visitor's cookies into a [`Visitor`] in
/// the request's extensions and, after any answer but a static file's (which may be cached
/// publicly), sends the ones that changed (not after a server error, as tower-sessions does not
/// save a session then either).
pub async fn carry(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let visitor = Visitor::read(
        request.headers(),
        &state.cookies,
        &state.cookie_keys,
        state.lifetimes.now_unix(),
    );
    let path = request.uri().path();
    let file = path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
    request.extensions_mut().insert(visitor.clone());
    let mut response = next.run(request).await;
    if !file && !response.status().is_server_error() {
        for value in visitor.set_cookies(&state.cookies, &state.cookie_keys) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}
