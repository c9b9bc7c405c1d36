//! The form input kept from a failed plain form post (user name, e-mail; never a password), so
//! the page the post redirects back to can fill the form again.

use leptos::prelude::*;

use crate::error::AppError;

/// The form input kept from a failed post (user name, e-mail; never a password), taken once,
/// by a page someone will see: a `HEAD` request or a prefetch leaves it kept, as the flashes.
#[server(endpoint = "form_input")]
pub async fn form_input() -> Result<std::collections::HashMap<String, String>, AppError> {
    use crate::web::context::RequestContext;

    if !crate::flash::page_will_be_seen() {
        return Ok(std::collections::HashMap::new());
    }
    let cx = RequestContext::current().await?;
    crate::session::take_form_input(&cx.session, cx.visitor.as_ref())
        .await
        .map_err(cx.internal())
}

/// Page side: the form input kept from a failed post, for filling a form again.
///
/// Read inside a `<Transition>` (it is a resource, resolved during the server render).
#[derive(Clone, Copy)]
pub struct KeptInput(Resource<Result<std::collections::HashMap<String, String>, AppError>>);

impl KeptInput {
    /// Takes the kept input (once per page).
    pub fn new() -> Self {
        Self(Resource::new(|| (), |()| form_input()))
    }

    /// The kept value of the field `name`, or empty.
    pub fn field(self, name: &'static str) -> Signal<String> {
        Signal::derive(move || {
            self.0
                .get()
                .and_then(Result::ok)
                .and_then(|input| input.get(name).cloned())
                .unwrap_or_default()
        })
    }
}

impl Default for KeptInput {
    fn default() -> Self {
        Self::new()
    }
}
