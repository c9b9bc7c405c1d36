//! The shared layout: the session's preferences on `<html>`, the site header with navigation
//! (and the log-out button when logged in) and the language switch, the flash messages, then
//! the page.

use leptos::prelude::*;
use leptos_meta::Html;
use leptos_router::{components::A, hooks::use_location};

use super::{ErrorSummary, LanguageSwitch, focus_on_click};
use crate::{
    api::{account::Logout, preferences::CurrentPreferences, user::current_user},
    flash::{FlashList, provide_flashes, use_flashes},
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
        <a class="skip-link" href="#main" on:click=focus_on_click("main")>
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
    }
}

/// Log in / Register for visitors; Dashboard and Log out for a logged-in user. Seeded by the
/// server render; in the browser, asked again after each navigation, since logging in or out
/// navigates.
#[component]
fn UserLinks() -> impl IntoView {
    let text = t(Lang::current());
    let user = Seeded::new(|facts| facts.user.clone());
    let location = use_location();
    // Browser only (effects never run on the server); not for the hydration itself.
    Effect::watch(
        move || location.pathname.get(),
        move |_, _, _| user.refresh(current_user()),
        false,
    );
    let logout = ServerAction::<Logout>::new();
    use_flashes().refresh_after(logout);
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
