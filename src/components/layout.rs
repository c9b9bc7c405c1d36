//! The shared layout: site header with navigation, then the page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::text::t;

/// Wraps every page: the header with the main navigation, then the page itself in `<main>`.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let text = t();
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
            </nav>
        </header>
        <main id="main">{children()}</main>
    }
}
