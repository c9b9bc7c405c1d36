//! Page side: the request-scoped read every component shares, and the components that show it.

use leptos::{prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_router::hooks::use_location;

use super::{Flash, Level, for_field, global, take_flashes, with_categories};
use crate::error::AppError;
use crate::text::{Lang, t};

/// The flashes of the page being shown: one read per page, shared through the context.
///
/// On the server it is the one `take` of the render; in the browser it starts from what the
/// server rendered (so hydration matches) and then gathers what later navigations and server
/// actions bring.
#[derive(Clone, Copy)]
pub struct Flashes {
    /// The server render's read, sent along with the page for hydration; `None` when the
    /// server knew before rendering that nothing waits (most pages: no resource, no wait).
    rendered: Option<Resource<Vec<Flash>>>,
    /// Browser: set once the user navigated away from the server-rendered page.
    navigated: RwSignal<bool>,
    /// Browser: what arrived since the page (or the last navigation) was shown.
    arrived: RwSignal<Vec<Flash>>,
    /// Browser: client-side navigations so far.
    navigations: RwSignal<u64>,
}

impl Flashes {
    /// Every flash of the page, oldest first, each with its category.
    /// Reactive; read it inside `<Suspense>` or `<Transition>` so that the server waits for it.
    pub fn all(&self) -> Vec<Flash> {
        let mut all = if self.navigated.get() {
            Vec::new()
        } else {
            self.rendered
                .and_then(|rendered| rendered.get())
                .unwrap_or_default()
        };
        all.extend(self.arrived.get());
        all
    }

    /// Only the flashes whose category is one of `categories`.
    pub fn with_categories(&self, categories: &[&str]) -> Vec<Flash> {
        with_categories(self.all(), categories)
    }

    /// The flashes for the global banner: all but the field-scoped ones.
    pub fn global(&self) -> Vec<Flash> {
        global(self.all())
    }

    /// The flashes scoped to `field` (`error_username`, `info_username`, ... for `username`).
    pub fn for_field(&self, field: &str) -> Vec<Flash> {
        for_field(self.all(), field)
    }

    /// Browser: removes every flash from the page (they were shown).
    fn clear(self) {
        self.navigated.set(true);
        self.arrived.set(Vec::new());
    }

    /// Browser: fetches the flashes that have arrived since and adds them to the page.
    pub fn refresh(self) {
        spawn_local(async move {
            self.fetch().await;
        });
    }

    /// Browser: [`Flashes::refresh`], then, when the action `failed` or an error arrived, moves
    /// the focus to the first problem (the error summary, else the first invalid field, else
    /// the first error in the banner), as the GOV.UK pattern does after a failed submit.
    fn refresh_then_focus(self, failed: bool) {
        spawn_local(async move {
            let errors = self.fetch().await;
            if failed || errors {
                // Once the page shows them.
                request_animation_frame(focus_first_problem);
            }
        });
    }

    /// Fetches what arrived and adds it; whether any of it is an error.
    async fn fetch(self) -> bool {
        match take_flashes().await {
            Ok(new) => {
                let errors = new.iter().any(|flash| flash.level() == Level::Error);
                if !new.is_empty() {
                    self.arrived.update(|arrived| arrived.extend(new));
                }
                errors
            }
            Err(err) => {
                leptos::logging::warn!("could not fetch flash messages: {err}");
                false
            }
        }
    }

    /// Browser: after each completed server action (`ServerAction::version()` changes), shows
    /// its flashes in place of the old ones, as the page a plain form post leads to would. An
    /// action that failed (say, `503` while the database is unavailable) shows why, as an
    /// `error` flash: the server's words, or that the server could not be reached.
    ///
    /// An action that redirects to another address is left to the navigation (which clears and
    /// fetches). leptos_router performs a server function's redirect one animation frame after
    /// the action completes; fetching here at once would race with that navigation's clearing
    /// and could wipe the new flashes. So this waits two frames and acts only when no
    /// navigation happened meanwhile (a redirect back to the same address, or none).
    pub fn refresh_after<S>(self, action: ServerAction<S>)
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
    {
        Effect::watch(
            move || action.version().get(),
            move |_, _, _| {
                let seen = self.navigations.get_untracked();
                let failure = action.value().with_untracked(|value| match value {
                    Some(Err(err)) => Some(failure_flash(err)),
                    _ => None,
                });
                request_animation_frame(move || {
                    request_animation_frame(move || {
                        if self.navigations.get_untracked() == seen {
                            self.clear();
                            let failed = failure.is_some();
                            if let Some(failure) = failure {
                                self.arrived.set(vec![failure]);
                            }
                            self.refresh_then_focus(failed);
                        }
                    });
                });
            },
            false,
        );
    }
}

/// Browser: focuses the first problem on the page (see [`Flashes::refresh_then_focus`]).
fn focus_first_problem() {
    use leptos::wasm_bindgen::JsCast;
    let document = document();
    for selector in [
        ".error-summary",
        "[aria-invalid=\"true\"]",
        ".flash-alerts .flash",
    ] {
        if let Ok(Some(element)) = document.query_selector(selector)
            && let Ok(element) = element.dyn_into::<leptos::web_sys::HtmlElement>()
        {
            let _ = element.focus();
            return;
        }
    }
}

/// The `error` flash for a server action that failed: the server's message (never a cause: see
/// `web::context`), or, without one, that the server could not be reached. Its id is below any
/// stored flash's, so it never collides with one.
fn failure_flash(err: &AppError) -> Flash {
    let message = err.to_string();
    Flash {
        id: i64::MIN,
        category: "error".to_owned(),
        message,
    }
}

/// Creates the page's [`Flashes`] and puts them in the context. The layout calls it once,
/// inside the `<Router>`.
pub fn provide_flashes() -> Flashes {
    // The server's decision travels with the page, so that hydration creates the same
    // resource (or none).
    let take = SharedValue::new(render_must_take).into_inner();
    let flashes = Flashes {
        rendered: take.then(|| {
            Resource::new(
                || (),
                |()| async { take_flashes().await.unwrap_or_default() },
            )
        }),
        navigated: RwSignal::new(false),
        arrived: RwSignal::new(Vec::new()),
        navigations: RwSignal::new(0),
    };
    provide_context(flashes);

    // Browser only (effects never run on the server): after each client-side navigation, the
    // old page's flashes go and the new page's arrive; the hydrated page keeps what the server
    // rendered. (The address is read, not only tracked: a memo nobody has read yet does not
    // tell its subscribers that it changed.)
    let location = use_location();
    Effect::watch(
        move || (location.pathname.get(), location.search.get()),
        move |_, _, _| {
            flashes.navigations.update(|n| *n += 1);
            flashes.clear();
            flashes.refresh();
        },
        false,
    );
    // Browser only: a page brought back by the back/forward cache was already seen, flashes
    // and all; show it without them.
    let pageshow = window_event_listener(leptos::ev::pageshow, move |event| {
        if event.persisted() {
            flashes.clear();
        }
    });
    on_cleanup(move || pageshow.remove());
    flashes
}

/// Server: whether this render must ask the store for flashes (see `request::render_must_take`).
fn render_must_take() -> bool {
    #[cfg(feature = "ssr")]
    {
        super::request::render_must_take()
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The page's [`Flashes`], from the context that [`provide_flashes`] filled.
pub fn use_flashes() -> Flashes {
    expect_context::<Flashes>()
}

/// The global banner: every flash that is not field-scoped, in two live regions that are there
/// from the first paint, so that a flash arriving later (after a server action, a client-side
/// navigation) is announced once: errors interrupt (`role="alert"`, first), the rest wait their
/// turn (`role="status"`). Flashes already in the server-rendered page are read with it, and
/// hydration adds nothing, so nothing is announced twice. Only the layout renders it.
#[component]
pub fn FlashList() -> impl IntoView {
    let flashes = use_flashes();
    let errors = move || {
        let mut all = flashes.global();
        all.retain(|flash| flash.level() == Level::Error);
        all
    };
    let others = move || {
        let mut all = flashes.global();
        all.retain(|flash| flash.level() != Level::Error);
        all
    };
    view! {
        <section class="flash-region" aria-label=t(Lang::current()).flash_region_label>
            <div class="flash-alerts" role="alert" aria-atomic="false">
                <Transition>
                    <For each=errors key=|flash| flash.id let:flash>
                        <FlashItem flash />
                    </For>
                </Transition>
            </div>
            <div class="flash-statuses" role="status" aria-atomic="false">
                <Transition>
                    <For each=others key=|flash| flash.id let:flash>
                        <FlashItem flash />
                    </For>
                </Transition>
            </div>
        </section>
    }
}

/// The flashes scoped to one form field (`error_username`, `info_password`, ...), shown beside
/// it (the input names their words in its `aria-describedby`; the error summary of
/// `components` announces the errors); the global banner leaves them out.
#[component]
pub fn FieldFlashes(
    /// The field name, e.g. `username`.
    field: &'static str,
) -> impl IntoView {
    let flashes = use_flashes();
    view! {
        <Transition>
            <For each=move || flashes.for_field(field) key=|flash| flash.id let:flash>
                <FlashItem flash in_field=true />
            </For>
        </Transition>
    }
}

/// The id of a flash's words (`aria-describedby` of its field names it).
pub fn message_id(flash_id: i64) -> String {
    format!("flash-{flash_id}-text")
}

/// Whether `field` has an `error_<field>` flash on the page (reactive): the input's
/// `aria-invalid`.
pub fn field_is_invalid(field: &'static str) -> impl Fn() -> bool + Send + Sync + Copy + 'static {
    let flashes = use_flashes();
    move || {
        flashes
            .for_field(field)
            .iter()
            .any(|flash| flash.level() == Level::Error)
    }
}

/// One flash: the message, its style, and, in the banner, a dismiss control that works without
/// JavaScript (a visually hidden checkbox; checking it hides the flash through CSS) and the
/// auto-dismiss of its level. A field's flash has neither: it describes the field (its input's
/// `aria-describedby` names the words) until the problem is mended. An error can take the focus
/// (after a failed submit).
#[component]
fn FlashItem(flash: Flash, #[prop(optional)] in_field: bool) -> impl IntoView {
    let level = flash.level();
    let class = format!(
        "flash flash-{} flash-cat-{}",
        level.as_str(),
        flash.category
    );
    let dismiss = (!in_field).then(|| {
        let dismiss_id = format!("flash-{}-dismiss", flash.id);
        view! {
            <input
                type="checkbox"
                class="flash-dismiss-toggle"
                id=dismiss_id.clone()
                aria-label=t(Lang::current()).flash_dismiss
            />
            <label class="flash-dismiss" for=dismiss_id aria-hidden="true">
                "×"
            </label>
        }
    });
    view! {
        <div
            class=class
            class:flash-auto=!in_field && level.auto_dismisses()
            data-category=flash.category
            tabindex=(level == Level::Error).then_some("-1")
        >
            <p class="flash-message" id=message_id(flash.id)>
                {flash.message}
            </p>
            {dismiss}
        </div>
    }
}
