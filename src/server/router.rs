//! The axum router: Leptos pages and server functions, `/healthz`, static files, and the
//! middleware around them.

use axum::{Router, routing::get};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};

use super::{health, state::AppState, telemetry};
use crate::{
    app::{App, shell},
    session::SessionLayer,
};

/// Builds the whole app. Kept apart from start-up so that tests can serve it on any port.
pub fn app(state: AppState, sessions: SessionLayer) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(sessions)
        .layer(telemetry::request_log())
        .with_state(state)
}
