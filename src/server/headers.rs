//! Response headers the app adds to what the handlers send.

use axum::{
    body::Body,
    http::{HeaderValue, Response, header},
};
use tower_http::set_header::SetResponseHeaderLayer;

type MakeValue = fn(&Response<Body>) -> Option<HeaderValue>;

/// `Cache-Control: no-store` on every HTML page (unless the handler chose otherwise).
///
/// Pages are rendered per session: they show the user and their one-time flash messages. No
/// cache may keep them, and the back button must ask the server again (which by then has no
/// flashes to show) instead of replaying the old page from the HTTP cache.
pub fn no_store_for_pages() -> SetResponseHeaderLayer<MakeValue> {
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, no_store_if_html as MakeValue)
}

fn no_store_if_html(response: &Response<Body>) -> Option<HeaderValue> {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    html.then(|| HeaderValue::from_static("no-store"))
}
