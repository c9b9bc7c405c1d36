//! Page side: the request-scoped read every component shares, and the components that show it.

use leptos::prelude::*;

use super::{Flash, Level, for_field, global, take_flashes, with_categories};
use crate::text::{Lang, t};

/// The flashes of the page being rendered: the render's one read of the store, shared through
/// the context. Pages are server HTML (no script renders them again in the browser), so this
/// is all a page ever shows.
#[derive(Clone, Copy)]
pub struct Flashes {
    /// The render's read; `None` when the server knew before rendering that nothing waits
    /// (most pages: no resource, no wait).
    rendered: Option<Resource<Vec<Flash>>>,
}

impl Flashes {
    /// Whether this render reads flashes at all. When it does not (most pages), the components
    /// that show them render their empty containers without a `<Transition>`: a suspense
    /// boundary with nothing to wait for still costs its render a reactive owner, a context and
    /// an async pass.
    pub fn waiting(&self) -> bool {
        self.rendered.is_some()
    }

    /// Every flash of the page, oldest first, each with its category.
    /// Reactive; read it inside `<Suspense>` or `<Transition>` so that the server waits for it.
    pub fn all(&self) -> Vec<Flash> {
        self.rendered
            .and_then(|rendered| rendered.get())
            .unwrap_or_default()
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
}

/// Creates the page's [`Flashes`] and puts them in the context. The layout calls it once,
/// inside the `<Router>`.
pub fn provide_flashes() -> Flashes {
    let flashes = Flashes {
        rendered: render_must_take().then(|| {
            Resource::new(
                || (),
                |()| async { take_flashes().await.unwrap_or_default() },
            )
        }),
    };
    provide_context(flashes);
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
/// from the first paint: errors interrupt (`role="alert"`, first), the rest wait their turn
/// (`role="status"`). The flashes are in the page's HTML, read with it; no script adds any, so
/// nothing is announced twice. Only the layout renders it.
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
                {flashes
                    .waiting()
                    .then(|| {
                        view! {
                            <Transition>
                                <For each=errors key=|flash| flash.id let:flash>
                                    <FlashItem flash />
                                </For>
                            </Transition>
                        }
                    })}
            </div>
            <div class="flash-statuses" role="status" aria-atomic="false">
                {flashes
                    .waiting()
                    .then(|| {
                        view! {
                            <Transition>
                                <For each=others key=|flash| flash.id let:flash>
                                    <FlashItem flash />
                                </For>
                            </Transition>
                        }
                    })}
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
    flashes.waiting().then(|| {
        view! {
            <Transition>
                <For each=move || flashes.for_field(field) key=|flash| flash.id let:flash>
                    <FlashItem flash in_field=true />
                </For>
            </Transition>
        }
    })
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
