//! Redirects from server functions that suit both kinds of caller.

use axum::http::{StatusCode, header::ACCEPT, request::Parts};
use leptos::prelude::{use_context, with_context};
use leptos_axum::ResponseOptions;

/// Sends the caller to `path` after a state change (Post/Redirect/Get).
///
/// A plain HTML form post (JavaScript on or off) gets `303 See Other`, so the browser follows with a
/// GET and a reload does not post again; leptos_axum's own `redirect` would answer `302`. A
/// call from leptos' server-function client (a script) gets leptos' redirect header.
pub fn see_other(path: &str) {
    leptos_axum::redirect(path);
    if is_form_post()
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response.set_status(StatusCode::SEE_OTHER);
    }
}

/// Whether the current request comes from a browser navigation (a plain form post or a page
/// load: it accepts HTML) rather than from leptos' server-function client (a script).
pub fn is_form_post() -> bool {
    with_context::<Parts, _>(|parts| {
        parts
            .headers
            .get(ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
    .unwrap_or(false)
}
