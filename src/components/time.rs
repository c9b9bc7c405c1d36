//! A moment on a page: `<time datetime="...">`, in the words of the viewer's language (both
//! made by the server, `text::Stamp`).

use leptos::prelude::*;

use crate::text::Stamp;

/// Shows `stamp`.
#[component]
pub fn Time(stamp: Stamp) -> impl IntoView {
    view! { <time datetime=stamp.datetime>{stamp.shown}</time> }
}
