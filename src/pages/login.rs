//! `/login`: the log-in form.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::{KeptInput, Login},
    flash::{FieldFlashes, use_flashes},
    text::t,
};

/// The log-in page. `?next=/path` is where a successful log-in goes (local paths only).
#[component]
pub fn LoginPage() -> impl IntoView {
    let text = t();
    let action = ServerAction::<Login>::new();
    use_flashes().refresh_after(action.version());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let kept_username = KeptInput::new().field("username");
    view! {
        <h1>{text.login_title}</h1>
        <Transition>
            <ActionForm action attr:class="card stack" attr:novalidate=true>
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="username">{text.field_username}</label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        maxlength="64"
                        value=kept_username
                    />
                    <FieldFlashes field="username" />
                </div>
                <div class="field">
                    <label for="password">{text.field_password}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" />
                    <FieldFlashes field="password" />
                </div>
                <label class="check">
                    <input type="checkbox" name="remember" value="on" />
                    {text.field_remember}
                </label>
                <button type="submit">{text.login_button}</button>
            </ActionForm>
        </Transition>
        <p>
            {text.login_no_account} " " <a href="/register">{text.nav_register}</a>
        </p>
    }
}
