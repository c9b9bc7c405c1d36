//! `/flash-demo`: every flash style at once, to try them out.
//!
//! Two ways to push: a server function that redirects (Post/Redirect/Get, the right way), and a
//! plain form post answered with the page itself (the flash shows in the same response; that
//! handler renders the whole app, so it is wired in `server::router`).

use leptos::prelude::*;

use crate::{
    api::flash_demo::{FlashCustom, FlashDemo},
    components::{Field, PageMeta},
    text::{Lang, t},
};

/// The demo page.
#[component]
pub fn FlashDemoPage() -> impl IntoView {
    let text = t(Lang::current());
    let action = ServerAction::<FlashDemo>::new();
    let custom = ServerAction::<FlashCustom>::new();
    view! {
        <PageMeta title=text.demo_title description=text.demo_description />
        <h1>{text.demo_title}</h1>
        <p class="lead">{text.demo_lead}</p>
        <div class="card demo-actions">
            <ActionForm action>
                <button type="submit">{text.demo_redirect_button}</button>
            </ActionForm>
            <form method="post" action="/flash-demo">
                <button type="submit" class="secondary">
                    {text.demo_now_button}
                </button>
            </form>
        </div>
        <p class="hint">{text.demo_now_hint}</p>
        <section class="card" aria-labelledby="own-heading">
            <h2 id="own-heading">{text.demo_own_heading}</h2>
            <Transition>
                <ActionForm action=custom attr:class="stack" attr:novalidate=true>
                    <Field
                        name="message"
                        label=text.demo_own_message
                        autocomplete="off"
                        maxlength=500
                    />
                    <Field
                        name="category"
                        label=text.demo_own_category
                        autocomplete="off"
                        maxlength=64
                        list="flash-categories"
                        value=Signal::stored("info".to_owned())
                    />
                    <datalist id="flash-categories">
                        <option value="success"></option>
                        <option value="error"></option>
                        <option value="warning"></option>
                        <option value="info"></option>
                        <option value="message"></option>
                        <option value="stock_alert"></option>
                    </datalist>
                    <button type="submit">{text.demo_own_button}</button>
                </ActionForm>
            </Transition>
        </section>
    }
}
