//! A page's document title and description (`<title>`, `<meta name="description">`), set from
//! the page component through leptos_meta.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::text::{Lang, t};

/// `title` is the page's own (the document's title is "<title> · Flashboard"); `description`
/// is what search results show, when the page has one.
#[component]
pub fn PageMeta(
    title: &'static str,
    #[prop(optional)] description: Option<&'static str>,
) -> impl IntoView {
    let app = t(Lang::current()).app_name;
    let full = if title == app || title.contains(app) {
        title.to_owned()
    } else {
        format!("{title} · {app}")
    };
    view! {
        <Title text=full />
        {description.map(|description| view! { <Meta name="description" content=description /> })}
    }
}
