//! `/account`: the logged-in user changes their password or deletes their account. Plain
//! forms: they work without JavaScript, and every outcome comes back as a flash (a mistake
//! beside its field).

use leptos::prelude::*;

use crate::{
    api::account_changes::{ChangePassword, DeleteAccount},
    components::{Field, PageMeta},
    text::{Lang, t},
};

/// The account page. Anonymous visitors never see it: the log-in guard sends them to
/// `/login?next=/account` (and the forms' server functions do the same).
#[component]
pub fn AccountPage() -> impl IntoView {
    let text = t(Lang::current());
    let change = ServerAction::<ChangePassword>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    view! {
        <PageMeta title=text.account_title description=text.account_description />
        <h1>{text.account_title}</h1>
        // Inside a transition: the fields read the page's flashes (`aria-invalid`), which the
        // server waits for only there.
        <Transition>
            <section aria-labelledby="password-heading">
                <h2 id="password-heading">{text.account_password_heading}</h2>
                <ActionForm action=change attr:class="card stack" attr:novalidate=true>
                    <Field
                        name="current_password"
                        label=text.field_current_password
                        kind="password"
                        autocomplete="current-password"
                    />
                    <Field
                        name="new_password"
                        label=text.field_new_password
                        kind="password"
                        autocomplete="new-password"
                        help=text.register_password_help
                    />
                    <button type="submit">{text.account_password_button}</button>
                </ActionForm>
            </section>
            <section aria-labelledby="delete-heading">
                <h2 id="delete-heading">{text.account_delete_heading}</h2>
                <ActionForm action=delete attr:class="card stack danger-zone" attr:novalidate=true>
                    <p>{text.account_delete_lead}</p>
                    <Field
                        name="password"
                        label=text.field_confirm_password
                        kind="password"
                        autocomplete="current-password"
                    />
                    <button type="submit" class="danger">
                        {text.account_delete_button}
                    </button>
                </ActionForm>
            </section>
        </Transition>
    }
}
