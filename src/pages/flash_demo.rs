//! `/flash-demo`: every flash style at once, to try them out.
//!
//! Two ways to push: a server function that redirects (Post/Redirect/Get, the right way), and a
//! plain form post answered with the page itself (the flash shows in the same response; that
//! handler renders the whole app, so it is wired in `server::router`).

use leptos::prelude::*;

use crate::{
    api::flash_demo::{FlashCustom, FlashDemo},
    components::PageMeta,
    flash::FieldFlashes,
    text::{Lang, t},
};

/// The demo page.
#[component]
pub fn FlashDemoPage() -> impl IntoView {
    let text = t(Lang::current());
    let action = ServerAction::<FlashDemo>::new();
    let custom = ServerAction::<FlashCustom>::new();
    let flashes = crate::flash::use_flashes();
    flashes.refresh_after(action);
    flashes.refresh_after(custom);
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
            <ActionForm action=custom attr:class="stack">
                <div class="field">
                    <label for="flash-message">{text.demo_own_message}</label>
                    <input id="flash-message" name="message" type="text" maxlength="500" />
                    <FieldFlashes field="message" />
                </div>
                <div class="field">
                    <label for="flash-category">{text.demo_own_category}</label>
                    <input
                        id="flash-category"
                        name="category"
                        type="text"
                        value="info"
                        list="flash-categories"
                    />
                    <datalist id="flash-categories">
                        <option value="success"></option>
                        <option value="error"></option>
                        <option value="warning"></option>
                        <option value="info"></option>
                        <option value="message"></option>
                        <option value="stock_alert"></option>
                    </datalist>
                    <FieldFlashes field="category" />
                </div>
                <button type="submit">{text.demo_own_button}</button>
            </ActionForm>
        </section>
    }
}
