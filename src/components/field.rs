//! One labelled form input, with its help text and the flashes scoped to it.

use leptos::prelude::*;

use crate::flash::{FieldFlashes, field_is_invalid};

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
    let feedback_id = format!("{name}-feedback");
    let described_by = match &help_id {
        Some(help_id) => format!("{help_id} {feedback_id}"),
        None => feedback_id.clone(),
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
            <div id=feedback_id class="field-feedback">
                <FieldFlashes field=name />
            </div>
        </div>
    }
}
