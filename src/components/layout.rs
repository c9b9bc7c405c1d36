//! The shared layout: the session's preferences on `<html>`, the site header with navigation
//! (and the log-out button when logged in) and the language switch, the flash messages, then
//! the page.

use leptos::prelude::*;
use leptos_meta::Html;

use super::{ErrorSummary, LanguageSwitch, NavLink, PageScripts};
use crate::{
    api::{account::Logout, preferences::CurrentPreferences},
    flash::{FlashList, provide_flashes},
    seeded::seeded,
    text::{Lang, t},
};

/// Wraps every page: the header with the main navigation, the flash messages, then the page
/// itself in `<main>`. The one place that renders the global flashes, and the one that applies
/// the preferences (`data-theme`, `data-density`, `data-flashes` on `<html>`, set in the server
/// render).
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let text = t(Lang::current());
    provide_flashes();
    let preferences = CurrentPreferences::provide().current();
    view! {
        <Html
            {..}
            data-theme=preferences.theme.as_str()
            data-density=preferences.density.as_str()
            data-flashes=if preferences.keep_flashes { "keep" } else { "auto" }
        />
        <a class="skip-link" href="#main">
            {text.skip_to_content}
        </a>
        <header class="site-header">
            <a class="brand" href="/">
                {text.app_name}
            </a>
            <nav aria-label=text.nav_label>
                <NavLink href="/" exact=true label=text.nav_home />
                <NavLink href="/flash-demo" label=text.nav_flash_demo />
                <NavLink href="/settings" label=text.nav_settings />
                <UserLinks />
            </nav>
            <LanguageSwitch />
        </header>
        <FlashList />
        <main id="main" tabindex="-1">
            <ErrorSummary />
            {children()}
        </main>
        <PageScripts />
    }
}

/// Log in / Register for visitors; Dashboard and Log out for a logged-in user, as the server
/// found the session before the render.
#[component]
fn UserLinks() -> impl IntoView {
    let text = t(Lang::current());
    let user = seeded(|facts| facts.user.clone());
    let logout = ServerAction::<Logout>::new();
    view! {
        {match user {
            Some(user) => {
                view! {
                    <NavLink href="/dashboard" label=text.nav_dashboard />
                    <NavLink href="/session" label=text.nav_session />
                    <NavLink href="/account" label=text.nav_account />
                    <span class="signed-in" data-testid="signed-in-as">
                        {text.nav_signed_in_as} " " <strong>{user.username}</strong>
                    </span>
                    <ActionForm action=logout attr:class="logout">
                        <button type="submit" class="secondary">
                            {text.nav_logout}
                        </button>
                    </ActionForm>
                }
                    .into_any()
            }
            None => {
                view! {
                    <NavLink href="/login" label=text.nav_login />
                    <NavLink href="/register" label=text.nav_register />
                }
                    .into_any()
            }
        }}
    }
}
