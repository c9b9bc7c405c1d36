//! `/login`: the log-in form.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{account::Login, form_input::KeptInput},
    components::{Field, PageMeta},
    text::{Lang, t},
};

/// The log-in page. `?next=/path` is where a successful log-in goes (local paths only).
#[component]
pub fn LoginPage() -> impl IntoView {
    let text = t(Lang::current());
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let kept = KeptInput::new();
    view! {
        <PageMeta title=text.login_title description=text.login_description />
        <h1>{text.login_title}</h1>
        <Transition>
            <ActionForm action attr:class="card stack" attr:novalidate=true>
                <input type="hidden" name="next" value=next />
                <Field
                    name="username"
                    label=text.field_username
                    autocomplete="username"
                    maxlength=64
                    value=kept.field("username")
                />
                <Field
                    name="password"
                    label=text.field_password
                    kind="password"
                    autocomplete="current-password"
                />
                <label class="check">
                    <input type="checkbox" name="remember" value="on" />
                    {text.field_remember}
                </label>
                <button type="submit">{text.login_button}</button>
            </ActionForm>
        </Transition>
        <p>
            <a href="/password/forgot">{text.login_forgot}</a>
        </p>
        <p>
            {text.login_no_account} " " <a href="/register">{text.nav_register}</a>
        </p>
    }
}
