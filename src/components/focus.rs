//! Moving the keyboard focus for in-page links (`#id`): the skip link, the error summary's
//! links. With JavaScript, leptos_router takes such a click over and only scrolls to the target,
//! leaving the focus on the link; these handlers move it to the target, as a browser does
//! without JavaScript.

use leptos::{prelude::*, wasm_bindgen::JsCast};

/// An `on:click` handler for a link to `#id`: focuses that element (which scrolls it into
/// view). Without JavaScript the browser follows the link itself.
pub fn focus_on_click(id: &'static str) -> impl Fn(leptos::ev::MouseEvent) + Clone + 'static {
    move |event| focus_target(&event, id)
}

/// [`focus_on_click`] for an id known only at run time.
pub fn focus_on_click_owned(id: String) -> impl Fn(leptos::ev::MouseEvent) + Clone + 'static {
    move |event| focus_target(&event, &id)
}

fn focus_target(event: &leptos::ev::MouseEvent, id: &str) {
    let target = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
    if let Some(target) = target {
        event.prevent_default();
        let _ = target.focus();
    }
}
