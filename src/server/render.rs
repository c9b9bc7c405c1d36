//! How a page is rendered: what every render finds in its Leptos context
//! ([`leptos_context`]), and the handler of the app's page routes ([`Pages`]), which renders a
//! page in one synchronous pass when nothing in it waits, and through leptos_axum's async
//! render otherwise.
//!
//! leptos_axum renders every page as a stream (`SsrMode::Async` collects it before sending):
//! each element goes through a `StreamBuilder`, the document is searched for its `<head>` in
//! chunks, and the render runs inside a boxed future of its own. Most page views wait for
//! nothing: the facts a page shows are gathered before the render (`web::page_facts`), and the
//! flashes are read only when some wait. For the pages that have no suspense boundary or
//! resource of their own ([`crate::app::OnePassPage`]), such a view is rendered with
//! tachys' synchronous `to_html` into one buffer, with the same context leptos_axum provides
//! (the request's parts, `ResponseOptions`, the meta context, the server redirect, the CSP
//! nonce); the title is put into the `<head>` by leptos_meta as before. The page is chosen by
//! `app::one_pass_shell`, not by leptos_router's `<Router>` and `<FlatRoutes>`. The dashboard
//! view costs about a seventh fewer instructions this way (README, Performance). The HTML is
//! the same.
//!
//! A page in the list that takes a suspense or resource id during its one-pass render is a
//! mistake (rendered in one pass, a suspense boundary shows its fallback): the render is
//! discarded and done again the async way, with an error logged; debug builds (the tests)
//! panic instead.

use std::{future::Future, pin::Pin, sync::Arc};

use axum::{
    body::Body,
    http::{HeaderValue, Request, header, request::Parts},
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use hydration_context::{SerializedDataId, SharedContext, SsrSharedContext};
use leptos::{
    config::LeptosOptions,
    nonce::use_nonce,
    prelude::{RenderHtml, provide_context, use_context},
    reactive::owner::Owner,
    tachys::view::Position,
};
use leptos_axum::ResponseOptions;
use leptos_meta::ServerMetaContext;
use leptos_router::{components::provide_server_redirect, location::RequestUrl};

use crate::{
    app::{OnePassPage, one_pass_shell, shell},
    web::{current_user::RequestMemo, page_facts, state::AppState},
};

/// What every Leptos render and server function finds in its context.
pub fn leptos_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        provide_context(state.flash.clone());
        provide_context(state.db_health.clone());
        provide_context(RequestMemo::default());
        provide_context(crate::flash::PushedHere::default());
        page_facts::provide();
    }
}

type AsyncRender =
    Arc<dyn Fn(Request<Body>) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

/// The handler of the app's page routes (`GET`, and `HEAD` through it). Cloned for every
/// request: one reference count.
#[derive(Clone)]
pub struct Pages(Arc<Renderers>);

struct Renderers {
    options: LeptosOptions,
    context: Arc<dyn Fn() + Send + Sync>,
    /// leptos_axum's async render, for the views that wait for something.
    render_async: AsyncRender,
}

impl Pages {
    pub fn new(state: &AppState) -> Self {
        let context = leptos_context(state);
        let options = state.leptos_options.clone();
        let render_async = leptos_axum::render_app_async_with_context(context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        });
        Self(Arc::new(Renderers {
            options,
            context: Arc::new(context),
            render_async: Arc::new(move |request| {
                let rendered = render_async(request);
                Box::pin(async move { rendered.await.into_response() })
            }),
        }))
    }

    /// Renders `request`'s page.
    pub async fn render(self, request: Request<Body>) -> Response {
        let page = OnePassPage::at(request.uri().path())
            .filter(|_| page_facts::nothing_waits(request.extensions()));
        let Some(page) = page else {
            return (self.0.render_async)(request).await;
        };
        match self.0.render_in_one_pass(request, page) {
            Ok(rendered) => rendered.into_response().await,
            Err(request) => (self.0.render_async)(*request).await,
        }
    }
}

impl Renderers {
    /// The page's HTML in one synchronous pass, or the request back if the page took a
    /// suspense or resource id (see the module docs).
    fn render_in_one_pass(
        &self,
        request: Request<Body>,
        page: OnePassPage,
    ) -> Result<OnePass, Box<Request<Body>>> {
        let response = ResponseOptions::default();
        let (meta, meta_output) = ServerMetaContext::new();
        let shared: Arc<dyn SharedContext + Send + Sync> = Arc::new(SsrSharedContext::new());
        let owner = Cleaned(Owner::new_root(Some(Arc::clone(&shared))));
        let html = owner.0.with(|| {
            // As leptos_axum provides them (`provide_contexts`).
            let url = format!(
                "http://leptos.dev{}",
                request.uri().path_and_query().map_or("/", |p| p.as_str())
            );
            provide_context(RequestUrl::new(&url));
            provide_context(meta);
            let (parts, _empty) = request.into_parts();
            provide_context(parts);
            provide_context(response.clone());
            provide_server_redirect(leptos_axum::redirect);
            leptos::nonce::provide_nonce();
            (self.context)();
            let mut html = String::with_capacity(PAGE_CAPACITY);
            // Built here, after the context: building a view runs its components.
            one_pass_shell(self.options.clone(), page).to_html_with_buf(
                &mut html,
                &mut Position::FirstChild,
                true,
                false,
                Vec::new(),
            );
            html
        });
        if took_an_id(shared.as_ref()) {
            return Err(Self::waited(&owner.0));
        }
        Ok(OnePass {
            html,
            owner,
            shared,
            meta: meta_output,
            response,
        })
    }

    /// A listed page waited for something: the mistake is reported, and the request rebuilt
    /// for the async render.
    fn waited(owner: &Owner) -> Box<Request<Body>> {
        let parts = owner
            .with(use_context::<Parts>)
            .expect("the request's parts were provided above");
        let path = parts.uri.path();
        let message = "an app::OnePassPage has a suspense boundary or a resource; take it out \
                       of the list";
        debug_assert!(false, "{message}: {path}");
        tracing::error!(path, "{message}");
        Box::new(Request::from_parts(parts, Body::empty()))
    }
}

/// Whether anything in the render took a serialized-data id from the shared context: every
/// suspense boundary, resource and error boundary does. Ids are counted up from 0 while
/// hydrating (inside an island) and down from `usize::MAX` outside; the context is dropped
/// after this look.
fn took_an_id(shared: &(dyn SharedContext + Send + Sync)) -> bool {
    shared.set_is_hydrating(true);
    let inside = shared.next_id();
    shared.set_is_hydrating(false);
    let outside = shared.next_id();
    inside != SerializedDataId::new(0) || outside != SerializedDataId::new(usize::MAX)
}

/// A render's root owner, cleaned up (its reactive nodes and context dropped) when the render is
/// done or abandoned: the request's future may be dropped while the title is put in (a client
/// that hung up, the overload bound's timeout).
struct Cleaned(Owner);

impl Drop for Cleaned {
    fn drop(&mut self) {
        self.0.clone().unset_with_forced_cleanup();
    }
}

/// Room for a page without growing the buffer (the dashboard is about 5 KB).
const PAGE_CAPACITY: usize = 8 * 1024;

/// A page rendered in one pass, before its title is put into its `<head>`.
struct OnePass {
    html: String,
    owner: Cleaned,
    shared: Arc<dyn SharedContext + Send + Sync>,
    meta: leptos_meta::ServerMetaContextOutput,
    response: ResponseOptions,
}

impl OnePass {
    async fn into_response(self) -> Response {
        let mut html = self
            .meta
            .inject_meta_context(futures::stream::iter([self.html]))
            .await
            .collect::<String>()
            .await;
        // The shared context's scripts after the document, as leptos_axum adds them (islands
        // read `__RESOLVED_RESOURCES` and `__INCOMPLETE_CHUNKS` when they start).
        if let Some(mut chunks) = self.shared.pending_data() {
            let nonce = self.owner.0.with(use_nonce);
            while let Some(chunk) = chunks.next().await {
                html.push_str("<script");
                if let Some(nonce) = &nonce {
                    html.push_str(" nonce=\"");
                    html.push_str(&nonce.to_string());
                    html.push('"');
                }
                html.push('>');
                html.push_str(&chunk);
                html.push_str("</script>");
            }
        }
        drop(self.owner);
        let mut answer = Body::from(html).into_response();
        // As leptos_axum sets them (`extend_response`, `set_default_content_type`).
        let set = std::mem::take(&mut *self.response.0.write().unwrap_or_else(|p| p.into_inner()));
        if let Some(status) = set.status {
            *answer.status_mut() = status;
        }
        answer.headers_mut().extend(set.headers);
        answer
            .headers_mut()
            .entry(header::CONTENT_TYPE)
            .or_insert(HeaderValue::from_static("text/html; charset=utf-8"));
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_taken_inside_or_outside_an_island_is_seen() {
        let fresh = SsrSharedContext::new();
        assert!(!took_an_id(&fresh));
        for hydrating in [true, false] {
            let used = SsrSharedContext::new();
            used.set_is_hydrating(hydrating);
            used.next_id();
            assert!(took_an_id(&used), "hydrating: {hydrating}");
        }
    }
}
