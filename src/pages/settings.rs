//! `/settings`: the session's UI preferences (language, theme and density), saved and reset
//! with plain forms.

use leptos::prelude::*;

use crate::{
    api::preferences::{CurrentPreferences, ResetPreferences, SavePreferences},
    components::{LanguageChoice, PageMeta},
    preferences::{Density, Theme},
    text::{Lang, Text, t},
};

/// The settings page: the forms post and come back to it, restyled, with a flash.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let text = t(Lang::current());
    let save = ServerAction::<SavePreferences>::new();
    let reset = ServerAction::<ResetPreferences>::new();
    let preferences = CurrentPreferences::use_context();
    let chosen = preferences
        .map(CurrentPreferences::current)
        .unwrap_or_default();
    view! {
        <PageMeta title=text.settings_title description=text.settings_description />
        <h1>{text.settings_title}</h1>
        <p class="lead">{text.settings_lead}</p>
        <LanguageChoice chosen=chosen.lang />
        <h2>{text.settings_look}</h2>
        <ActionForm action=save attr:class="card stack settings">
            <Choices
                legend=text.settings_theme
                name="theme"
                options=Theme::ALL
                    .map(|theme| (theme.as_str(), theme_label(text, theme), chosen.theme == theme))
                    .to_vec()
            />
            <Choices
                legend=text.settings_density
                name="density"
                options=Density::ALL
                    .map(|density| {
                        (density.as_str(), density_label(text, density), chosen.density == density)
                    })
                    .to_vec()
            />
            <fieldset>
                <legend>{text.settings_flashes}</legend>
                <label class="check">
                    <input
                        type="checkbox"
                        name="keep_flashes"
                        value="on"
                        checked=chosen.keep_flashes
                    />
                    {text.settings_keep_flashes}
                </label>
            </fieldset>
            <button type="submit">{text.settings_save}</button>
        </ActionForm>
        <ActionForm action=reset attr:class="reset">
            <button type="submit" class="secondary">
                {text.settings_reset}
            </button>
        </ActionForm>
    }
}

/// A group of radio buttons: `(value, label, checked)` each.
#[component]
fn Choices(
    legend: &'static str,
    name: &'static str,
    options: Vec<(&'static str, &'static str, bool)>,
) -> impl IntoView {
    view! {
        <fieldset>
            <legend>{legend}</legend>
            {options
                .into_iter()
                .map(|(value, label, checked)| {
                    view! {
                        <label class="check">
                            <input type="radio" name=name value=value checked=checked />
                            {label}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

fn theme_label(text: &'static Text, theme: Theme) -> &'static str {
    match theme {
        Theme::System => text.settings_theme_system,
        Theme::Light => text.settings_theme_light,
        Theme::Dark => text.settings_theme_dark,
    }
}

fn density_label(text: &'static Text, density: Density) -> &'static str {
    match density {
        Density::Comfortable => text.settings_density_comfortable,
        Density::Compact => text.settings_density_compact,
    }
}
