//! The GOV.UK error summary: when fields have `error_<field>` flashes, a box at the top of the
//! page that names each problem and links to its field.

use leptos::prelude::*;

use crate::{
    flash::{Level, use_flashes},
    text::{Lang, t},
};

/// The summary, in the server render too, so that a page sent back by a plain form post says
/// what went wrong at the top. It is an alert (announced when it appears); the page script
/// (`PageScripts`) moves the focus here when the page loads, and each link, an in-page link the
/// browser follows, moves the focus to its field.
#[component]
pub fn ErrorSummary() -> impl IntoView {
    let flashes = use_flashes();
    let title = t(Lang::current()).error_summary_title;
    let problems = move || {
        let mut all = flashes.all();
        all.retain(|flash| flash.field().is_some() && flash.level() == Level::Error);
        all
    };
    // Nothing to wait for when the render reads no flashes (see `Flashes::waiting`).
    flashes.waiting().then(|| view! {
        <Transition>
            {move || {
                let problems = problems();
                (!problems.is_empty())
                    .then(|| {
                        view! {
                            <div
                                class="error-summary"
                                role="alert"
                                tabindex="-1"
                                aria-labelledby="error-summary-title"
                            >
                                <h2 id="error-summary-title">{title}</h2>
                                <ul>
                                    {problems
                                        .into_iter()
                                        .map(|flash| {
                                            let field = flash.field().unwrap_or_default().to_owned();
                                            view! {
                                                <li>
                                                    <a href=format!("#{field}")>{flash.message}</a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })
            }}
        </Transition>
    })
}
