//! `/settings`: the session's UI preferences (theme and density), saved and reset with plain
//! forms.

use leptos::prelude::*;

use crate::{
    flash::use_flashes,
    preferences::{Density, PreferencesResource, ResetPreferences, SavePreferences, Theme},
    text::{Text, t},
};

/// The settings page. Works without JavaScript (the forms post and come back with a flash);
/// with it, saving restyles the page without a reload.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let text = t();
    let save = ServerAction::<SavePreferences>::new();
    let reset = ServerAction::<ResetPreferences>::new();
    let flashes = use_flashes();
    flashes.refresh_after(save.version());
    flashes.refresh_after(reset.version());
    let preferences = PreferencesResource::use_context();
    Effect::watch(
        move || (save.version().get(), reset.version().get()),
        move |_, _, _| {
            if let Some(preferences) = preferences {
                preferences.0.refetch();
            }
        },
        false,
    );
    view! {
        <h1>{text.settings_title}</h1>
        <p class="lead">{text.settings_lead}</p>
        <Transition>
            {move || {
                let chosen = preferences.map(PreferencesResource::current).unwrap_or_default();
                view! {
                    <ActionForm action=save attr:class="card stack settings">
                        <fieldset>
                            <legend>{text.settings_theme}</legend>
                            {Theme::ALL
                                .map(|theme| {
                                    view! {
                                        <label class="check">
                                            <input
                                                type="radio"
                                                name="theme"
                                                value=theme.as_str()
                                                checked=chosen.theme == theme
                                            />
                                            {theme_label(text, theme)}
                                        </label>
                                    }
                                })}
                        </fieldset>
                        <fieldset>
                            <legend>{text.settings_density}</legend>
                            {Density::ALL
                                .map(|density| {
                                    view! {
                                        <label class="check">
                                            <input
                                                type="radio"
                                                name="density"
                                                value=density.as_str()
                                                checked=chosen.density == density
                                            />
                                            {density_label(text, density)}
                                        </label>
                                    }
                                })}
                        </fieldset>
                        <button type="submit">{text.settings_save}</button>
                    </ActionForm>
                }
            }}
        </Transition>
        <ActionForm action=reset attr:class="reset">
            <button type="submit" class="secondary">
                {text.settings_reset}
            </button>
        </ActionForm>
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
