//! Choosing the interface's language: the switch in the header and the choice on `/settings`.
//! Both are plain forms (`POST /api/set_language`, `api::preferences::set_language`), with and
//! without JavaScript: the page comes back whole, in the new language, at the same address.

use leptos::prelude::*;

use super::nav_link::request_path;
use crate::text::{Lang, t};

/// The current page's path and query, where a language change comes back to.
fn here() -> String {
    match request_path() {
        (path, query) if query.is_empty() => path,
        (path, query) => format!("{path}?{query}"),
    }
}

/// The header's switch: one button per other language, named in that language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = Lang::current();
    view! {
        <form
            method="post"
            action="/api/set_language"
            class="language-switch"
            aria-label=t(current).language
        >
            <input type="hidden" name="back" value=here() />
            {Lang::ALL
                .into_iter()
                .filter(|lang| *lang != current)
                .map(|lang| {
                    view! {
                        <button
                            type="submit"
                            name="lang"
                            value=lang.tag()
                            lang=lang.tag()
                            class="secondary"
                        >
                            {lang.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}

/// `/settings`' choice: the browser's language or one of the app's, `chosen` (`None`: the
/// browser's) checked.
#[component]
pub fn LanguageChoice(chosen: Option<Lang>) -> impl IntoView {
    let text = t(Lang::current());
    let options = std::iter::once(("auto", text.language_auto, None, chosen.is_none())).chain(
        Lang::ALL.into_iter().map(|lang| {
            (
                lang.tag(),
                lang.native_name(),
                Some(lang.tag()),
                chosen == Some(lang),
            )
        }),
    );
    view! {
        <form method="post" action="/api/set_language" class="card stack">
            <input type="hidden" name="back" value="/settings" />
            <fieldset>
                <legend>{text.language}</legend>
                {options
                    .map(|(value, label, lang, checked)| {
                        view! {
                            <label class="check">
                                <input type="radio" name="lang" value=value checked=checked />
                                <span lang=lang>{label}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit">{text.language_change}</button>
        </form>
    }
}
