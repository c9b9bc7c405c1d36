//! The home page: what Flashboard is, and a first proof that the page's script runs (an
//! island).

use leptos::prelude::*;

use crate::{
    components::PageMeta,
    text::{Lang, t},
};

/// `/`: the welcome page.
#[component]
pub fn HomePage() -> impl IntoView {
    let text = t(Lang::current());
    view! {
        <PageMeta title=text.home_title description=text.home_description />
        <h1>{text.home_title}</h1>
        <p class="lead">{text.home_lead}</p>
        <section class="card" aria-labelledby="try-heading">
            <p id="try-heading">{text.home_try_label}</p>
            <ClickCounter />
        </section>
    }
}

/// A button that counts its clicks: an island, so it works once the page's script has run (in
/// the browser the text comes from the page's `lang`, as the server rendered it).
#[island]
fn ClickCounter() -> impl IntoView {
    let text = t(Lang::current());
    let clicks = RwSignal::new(0u32);
    view! {
        <button type="button" on:click=move |_| clicks.update(|n| *n += 1)>
            {text.home_try_button}
        </button>
        <p>{text.home_try_count} " " <output data-testid="click-count">{clicks}</output></p>
    }
}
