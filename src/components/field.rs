//! One labelled form input, with its help text and the flashes scoped to it.

use leptos::prelude::*;

use crate::flash::{FieldFlashes, field_is_invalid, message_id, use_flashes};

/// A form field: the label, the input (`id` and `name` are both `name`), an optional help line,
/// and the flashes of that field (`error_<name>`, `info_<name>`, ...) below it. The input names
/// the help and the flashes in `aria-describedby`, and is `aria-invalid` while an
/// `error_<name>` flash is shown.
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
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    let help_id = help.map(|_| format!("{name}-help"));
    let flashes = use_flashes();
    // The help line, then the words of each flash of this field (not their dismiss controls).
    let described_by = {
        let help_id = help_id.clone();
        move || {
            let mut ids: Vec<String> = help_id.iter().cloned().collect();
            ids.extend(
                flashes
                    .for_field(name)
                    .iter()
                    .map(|flash| message_id(flash.id)),
            );
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = field_is_invalid(name);
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                maxlength=maxlength
                list=list
                aria-describedby=described_by
                aria-invalid=move || invalid().then_some("true")
                value=value
            />
            {help.map(|help| view! { <small id=help_id>{help}</small> })}
            <FieldFlashes field=name />
        </div>
    }
}
