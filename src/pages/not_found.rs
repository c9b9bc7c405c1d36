//! The page for any address the router does not know, answered with `404 Not Found`.

use leptos::prelude::*;

use crate::{
    components::PageMeta,
    text::{Lang, t},
};

/// Fallback of the router.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        // The status of the server-rendered response; the browser-side router has none to set.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    let text = t(Lang::current());
    view! {
        <PageMeta title=text.not_found_title />
        <h1>{text.not_found_title}</h1>
        <p>{text.not_found_body}</p>
        <p>
            <a href="/">{text.not_found_home_link}</a>
        </p>
    }
}
