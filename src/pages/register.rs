//! `/register`: the registration form, with each field's problems shown beside it.

use leptos::prelude::*;

use crate::{
    auth::{KeptInput, Register},
    flash::{FieldFlashes, use_flashes},
    text::t,
};

/// The registration page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let text = t();
    let action = ServerAction::<Register>::new();
    use_flashes().refresh_after(action.version());
    let kept = KeptInput::new();
    view! {
        <h1>{text.register_title}</h1>
        <Transition>
            <ActionForm action attr:class="card stack" attr:novalidate=true>
                <div class="field">
                    <label for="username">{text.field_username}</label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        maxlength="64"
                        aria-describedby="username-help"
                        value=kept.field("username")
                    />
                    <small id="username-help">{text.register_username_help}</small>
                    <FieldFlashes field="username" />
                </div>
                <div class="field">
                    <label for="email">{text.field_email}</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="email"
                        maxlength="254"
                        value=kept.field("email")
                    />
                    <FieldFlashes field="email" />
                </div>
                <div class="field">
                    <label for="password">{text.field_password}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        aria-describedby="password-help"
                    />
                    <small id="password-help">{text.register_password_help}</small>
                    <FieldFlashes field="password" />
                </div>
                <button type="submit">{text.register_button}</button>
            </ActionForm>
        </Transition>
        <p>
            {text.register_have_account} " " <a href="/login">{text.nav_login}</a>
        </p>
    }
}
