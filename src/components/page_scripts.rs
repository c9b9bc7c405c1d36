//! The one island every page carries: what only a browser can do for the server-rendered page.
//! Everything else on a page is server HTML that works without a script (links, forms posting to
//! the server functions, the flash banner's CSS timers and dismiss control).

use leptos::prelude::*;

/// Placed after `<main>` by the layout, so that Leptos' island script (which hydrates the
/// islands in the order of the page) has readied the page's own islands before this marks the
/// page as done. In the browser, once:
/// - marks `<body>` with `data-hydrated="true"`, so that tests (and curious readers of the DOM)
///   can tell a page whose script runs from the server-rendered HTML alone;
/// - moves the focus to the first problem on the page (the error summary, the first field marked
///   invalid, else the first error flash), as a page that a failed submit led to has, so that
///   keyboard and screen-reader users start there; not when the visitor has already focused
///   something or scrolled (the island may start a while after the page shows);
/// - loads a page brought back by the back/forward cache again: its flashes (banner, field
///   errors, summary) have been seen and are shown once, and the server knows what is true now
///   (pages are `no-store`, so the browser asks for them anew).
#[island]
pub fn PageScripts() -> impl IntoView {
    // Effects run only in the browser; on the server this renders the island's empty element.
    Effect::new(|| {
        let document = document();
        let unfocused = document.active_element().is_none_or(|active| {
            document
                .body()
                .is_some_and(|body| body.is_same_node(Some(&active)))
        });
        let untouched = unfocused && window().scroll_y().unwrap_or_default() == 0.0;
        if untouched {
            focus_first_problem(&document);
        }
        if let Some(body) = document.body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let pageshow = window_event_listener(leptos::ev::pageshow, |event| {
        if event.persisted() {
            let _ = window().location().reload();
        }
    });
    on_cleanup(move || pageshow.remove());
}

/// Focuses the first of the page's problems, if it has any.
fn focus_first_problem(document: &leptos::web_sys::Document) {
    use leptos::wasm_bindgen::JsCast;
    for selector in [
        ".error-summary",
        "[aria-invalid=\"true\"]",
        ".flash-alerts .flash",
    ] {
        if let Ok(Some(element)) = document.query_selector(selector)
            && let Ok(element) = element.dyn_into::<leptos::web_sys::HtmlElement>()
        {
            let _ = element.focus();
            return;
        }
    }
}
