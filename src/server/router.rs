//! The axum router: Leptos pages and server functions, `/healthz`, static files, and the
//! middleware around them.

use axum::{
    Router,
    routing::{get, post},
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};

use super::{headers, health, state::AppState, telemetry};
use crate::{
    app::{App, shell},
    auth,
    flash::LeaveFlashes,
    pages,
    session::SessionLayer,
};

/// Builds the whole app. Kept apart from start-up so that tests can serve it on any port.
pub fn app(state: AppState, sessions: SessionLayer) -> Router {
    let routes = generate_route_list(App);
    let context = leptos_context(&state);
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/flash-demo", post(pages::flash_demo_now))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(shell_options.clone())
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard::require_login,
        ))
        .layer(headers::no_store_for_pages())
        .layer(sessions)
        .layer(telemetry::request_log())
        .with_state(state)
}

/// What every Leptos render and server function finds in its context.
pub fn leptos_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        provide_context(state.flash.clone());
    }
}
