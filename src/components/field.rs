//! One labelled form input, with its help text and the flashes scoped to it.

use leptos::prelude::*;

use crate::flash::FieldFlashes;

/// A form field: the label, the input (`id` and `name` are both `name`), an optional help line
/// the input points to with `aria-describedby`, and the flashes of that field (`error_<name>`,
/// `info_<name>`, ...) below it.
#[component]
pub fn Field(
    /// The input's `name` and `id`; the field-scoped flashes use it too.
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    /// The input's `autocomplete` hint.
    autocomplete: &'static str,
    /// The input's `maxlength`, if any.
    #[prop(optional)]
    maxlength: Option<u32>,
    /// A help line shown under the input.
    #[prop(optional)]
    help: Option<&'static str>,
    /// The value to show again (what the user typed before a failed post).
    #[prop(optional)]
    value: Option<Signal<String>>,
) -> impl IntoView {
    let help_id = help.map(|_| format!("{name}-help"));
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                maxlength=maxlength
                aria-describedby=help_id.clone()
                value=value
            />
            {help.map(|help| view! { <small id=help_id>{help}</small> })}
            <FieldFlashes field=name />
        </div>
    }
}
