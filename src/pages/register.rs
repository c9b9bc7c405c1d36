//! `/register`: the registration form, with each field's problems shown beside it.

use leptos::prelude::*;

use crate::{
    api::{account::Register, form_input::KeptInput},
    components::{Field, PageMeta},
    text::{Lang, t},
};

/// The registration page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let text = t(Lang::current());
    let action = ServerAction::<Register>::new();
    let kept = KeptInput::new();
    view! {
        <PageMeta title=text.register_title description=text.register_description />
        <h1>{text.register_title}</h1>
        <Transition>
            <ActionForm action attr:class="card stack" attr:novalidate=true>
                <Field
                    name="username"
                    label=text.field_username
                    autocomplete="username"
                    maxlength=64
                    help=text.register_username_help
                    value=kept.field("username")
                />
                <Field
                    name="email"
                    label=text.field_email
                    kind="email"
                    autocomplete="email"
                    maxlength=254
                    value=kept.field("email")
                />
                <Field
                    name="password"
                    label=text.field_password
                    kind="password"
                    autocomplete="new-password"
                    help=text.register_password_help
                />
                <button type="submit">{text.register_button}</button>
            </ActionForm>
        </Transition>
        <p>
            {text.register_have_account} " " <a href="/login">{text.nav_login}</a>
        </p>
    }
}
