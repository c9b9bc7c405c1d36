//! The shared layout: site header with navigation, then the page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    flash::{FlashList, provide_flashes},
    text::t,
};

/// Wraps every page: the header with the main navigation, the flash messages, then the page
/// itself in `<main>`. The one place that renders the global flashes.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let text = t();
    provide_flashes();
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                {text.app_name}
            </a>
            <nav aria-label=text.nav_label>
                <A href="/" exact=true>
                    {text.nav_home}
                </A>
                <A href="/login">{text.nav_login}</A>
                <A href="/register">{text.nav_register}</A>
                <A href="/flash-demo">{text.nav_flash_demo}</A>
            </nav>
        </header>
        <FlashList />
        <main id="main">{children()}</main>
    }
}
