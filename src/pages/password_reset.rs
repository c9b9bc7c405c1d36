//! `/password/forgot` (ask for a reset link) and `/password/reset?token=...` (set a new
//! password with it): plain forms, with and without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{
        form_input::KeptInput,
        password_reset::{ForgotPassword, ResetPassword},
    },
    components::{Field, PageMeta},
    text::{Lang, t},
};

/// The form that asks for a reset link by name or address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let text = t(Lang::current());
    let action = ServerAction::<ForgotPassword>::new();
    let kept = KeptInput::new();
    view! {
        <PageMeta title=text.forgot_title description=text.forgot_description />
        <h1>{text.forgot_title}</h1>
        <p class="lead">{text.forgot_lead}</p>
        <Transition>
            <ActionForm action attr:class="card stack" attr:novalidate=true>
                <Field
                    name="login"
                    label=text.field_name_or_email
                    autocomplete="username"
                    maxlength=254
                    value=kept.field("login")
                />
                <button type="submit">{text.forgot_button}</button>
            </ActionForm>
        </Transition>
        <p>
            <a href="/login">{text.nav_login}</a>
        </p>
    }
}

/// The form that sets a new password with the link's token (carried in a hidden field).
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let text = t(Lang::current());
    let action = ServerAction::<ResetPassword>::new();
    // The page's address holds the token: no request from it may carry the address along (the
    // stylesheet and the script are fetched from here; a proxy's log would keep it).
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::header::REFERRER_POLICY,
            axum::http::HeaderValue::from_static("no-referrer"),
        );
    }
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <PageMeta title=text.reset_title description=text.reset_description />
        <h1>{text.reset_title}</h1>
        // Inside a transition: the field reads the page's flashes (`aria-invalid`), which the
        // server waits for only there.
        <Transition>
            <ActionForm action attr:class="card stack" attr:novalidate=true>
                <input type="hidden" name="token" value=token />
                <Field
                    name="new_password"
                    label=text.field_new_password
                    kind="password"
                    autocomplete="new-password"
                    help=text.register_password_help
                />
                <button type="submit">{text.reset_button}</button>
            </ActionForm>
        </Transition>
    }
}
