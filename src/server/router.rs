//! The axum router: Leptos pages and server functions, `/livez`, `/healthz` and `/readyz`, static files,
//! and the middleware around them.

use std::sync::OnceLock;

use axum::{
    Router,
    body::Body,
    extract::State,
    http::Request,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use leptos::prelude::provide_context;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::Session;

use super::{
    config::ServerConfig,
    render::{Pages, leptos_context},
};
use crate::{
    app::{App, shell},
    flash::{Flasher, LeaveFlashes, PushedHere},
    session::SessionLayer,
    text::Message,
    web::{
        compression, fn_errors, guard, headers, health, language, lifetime, mailbox, metrics,
        overload, page_body, page_cache, page_facts, reactive_owner, request_id, resign,
        state::AppState, telemetry, throttle, unavailable, visitor,
    },
};

/// Builds the whole app, with the `extra` routes inside the same middleware. Kept apart from
/// start-up so that tests can serve it on any port.
///
/// The middleware is two `Router::layer` calls, each a whole `tower::ServiceBuilder` stack, not
/// one call per layer: axum puts each layer given to `Router::layer` around every route in a box
/// of its own (a `Route`), and a `Route` clones its box with every box below it on each call, so
/// twenty calls made a few hundred allocations per request (the README's Performance section
/// has the measurements). Routing still comes first, so the layers see the matched route.
pub fn app(
    state: AppState,
    settings: &ServerConfig,
    sessions: SessionLayer,
    extra: Router<AppState>,
) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};

    let routes = routes();
    let context = leptos_context(&state);
    let pages = Pages::new(&state);
    let shell_options = state.leptos_options.clone();
    // The outbox's mail, in dev mode only (it shows reset links that open accounts).
    let extra = if state.dev {
        extra.route("/dev/mailbox", get(mailbox::list))
    } else {
        extra
    };
    // Around the pages, server functions and files; outermost first.
    let inner = ServiceBuilder::new()
        // Overload: 503 rather than an unbounded queue (see `overload`).
        .layer(from_fn_with_state(
            overload::Limits::new(settings.max_in_flight, settings.request_timeout),
            overload::limit,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .map_request(|request: Request<tower_http::body::Limited<Body>>| request.map(Body::new))
        // Refused before the session is read: a cross-site request touches nothing.
        .layer(from_fn(headers::word_cross_site_refusal))
        .layer(headers::refuse_cross_site())
        // A request that failed because the database could not be used: 503, not 500.
        .layer(from_fn_with_state(
            state.db_health.clone(),
            unavailable::answer,
        ))
        .layer(from_fn(fn_errors::malformed_is_bad_request))
        // Cookies signed with an older secret key, signed again (see `web::resign`).
        .layer(from_fn_with_state(state.clone(), resign::resign))
        // The cookie of a visitor without a session (see `session::visitor`).
        .layer(from_fn_with_state(state.clone(), visitor::carry))
        .layer(sessions)
        .layer(from_fn_with_state(state.lifetimes.clone(), lifetime::track))
        .layer(from_fn_with_state(
            state.clone(),
            throttle::throttle_auth_posts,
        ))
        .layer(from_fn_with_state(state.clone(), guard::require_login))
        // The request's language, from the preferences or `Accept-Language`. Inside the guard,
        // which must see whether the cookie named a session before anything loads it.
        .layer(from_fn(language::choose))
        .layer(from_fn_with_state(state.clone(), page_facts::gather))
        .layer(from_fn(page_body::whole_page));
    // Around everything, the health checks too; outermost first.
    let outer = ServiceBuilder::new()
        // Outermost: no other request's Leptos context can leak into this one's.
        .layer(from_fn(reactive_owner::isolate))
        // Outside the request log, whose span carries the id.
        .layer(from_fn_with_state(
            std::sync::Arc::new(state.trusted_proxies.clone()),
            request_id::assign,
        ))
        .layer(telemetry::request_log())
        .layer(from_fn(metrics::track))
        .layer(from_fn(compression::compress))
        .layer(from_fn(compression::vary_on_encoding))
        .layer(from_fn_with_state(
            headers::Policy::from_state(&state),
            headers::security_headers,
        ))
        // Visitors without a session: a kept copy of the page, before the session layer.
        .layer(from_fn_with_state(
            state.page_cache.clone(),
            page_cache::serve,
        ));
    extra
        .route("/flash-demo", post(flash_demo_now))
        // Server functions only: the page routes are rendered by `render::Pages`.
        .leptos_routes_with_context(&state, Vec::new(), context.clone(), move || {
            shell(shell_options.clone())
        })
        .leptos_routes_with_handler(routes, move |request: Request<Body>| {
            pages.clone().render(request)
        })
        // The fallback answers missing files and unknown addresses with the 404 page; a stray
        // request for `/favicon.ico` must not consume the flashes meant for the next real page.
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            move || {
                context();
                provide_context(LeaveFlashes);
            },
            shell,
        ))
        .layer(inner)
        // Added after the layers above, so they do not wrap them: the health checks answer even
        // when the server is at its in-flight bound, need no session, and read no body.
        .route("/livez", get(health::livez))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(outer)
        .with_state(state)
}

/// The largest request body accepted (`413 Payload Too Large` beyond): the app's forms are a few
/// short fields.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The app's routes, generated once per process.
///
/// `generate_route_list` renders the app with resource loading switched off by a process-wide
/// flag (leptos_server's `SuppressResourceLoad`). Generated again while another router in the
/// same process serves (as happens when tests start servers in parallel), it would leave that
/// router's pages waiting for resources that never load.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The pages whose render for a visitor without a session may be kept (see [`page_cache`]):
/// every route without parameters, except those that need a user.
pub fn cacheable_paths() -> Vec<String> {
    routes()
        .iter()
        .map(|route| route.path().to_owned())
        .filter(|path| !path.contains('{') && !guard::PROTECTED.contains(&path.as_str()))
        .collect()
}

/// `POST /flash-demo` (the plain form of `pages::FlashDemoPage`): pushes the demo flashes and
/// answers with the page at once, so the page's read finds them in this very request.
pub async fn flash_demo_now(
    State(state): State<AppState>,
    flasher: Flasher,
    session: Session,
    mut request: Request<Body>,
) -> Response {
    let demo = crate::flash::DEMO.map(|(category, msg)| (category, Message::Said(msg)));
    if let Err(err) = flasher.push_all(&demo).await {
        state
            .db_health
            .failed("push the flash demo's flashes", &err);
    }
    page_facts::attach(&state, &session, &mut request).await;
    let options = state.leptos_options.clone();
    let context = leptos_context(&state);
    let render = leptos_axum::render_app_async_with_context(
        move || {
            context();
            provide_context(PushedHere::already());
        },
        move || shell(options.clone()),
    );
    render(request).await.into_response()
}
