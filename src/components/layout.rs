//! The shared layout: the session's preferences on `<html>`, the site header with navigation
//! (and the log-out button when logged in) and the language switch, the flash messages, then
//! the page.

use leptos::prelude::*;
use leptos_meta::Html;
use leptos_router::components::A;

use super::{ErrorSummary, LanguageSwitch, PageScripts};
use crate::{
    api::{account::Logout, preferences::CurrentPreferences},
    flash::{FlashList, provide_flashes},
    seeded::Seeded,
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
    let preferences = CurrentPreferences::provide();
    view! {
        <Html
            {..}
            data-theme=move || preferences.current().theme.as_str()
            data-density=move || preferences.current().density.as_str()
            data-flashes=move || if preferences.current().keep_flashes { "keep" } else { "auto" }
        />
        <a class="skip-link" href="#main">
            {text.skip_to_content}
        </a>
        <header class="site-header">
            <a class="brand" href="/">
                {text.app_name}
            </a>
            <nav aria-label=text.nav_label>
                <A href="/" exact=true>
                    {text.nav_home}
                </A>
                <A href="/flash-demo">{text.nav_flash_demo}</A>
                <A href="/settings">{text.nav_settings}</A>
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
    let user = Seeded::new(|facts| facts.user.clone());
    let logout = ServerAction::<Logout>::new();
    view! {
        {move || match user.get() {
            Some(user) => {
                view! {
                    <A href="/dashboard">{text.nav_dashboard}</A>
                    <A href="/session">{text.nav_session}</A>
                    <A href="/account">{text.nav_account}</A>
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
                    <A href="/login">{text.nav_login}</A>
                    <A href="/register">{text.nav_register}</A>
                }
                    .into_any()
            }
        }}
    }
}
