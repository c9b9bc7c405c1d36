//! The probes for whoever runs the server: `GET /healthz` (liveness: is the process serving?)
//! and `GET /readyz` (readiness: can it do its work, the database included?).
//!
//! A load balancer should route by `/readyz`; an orchestrator should restart by `/healthz`
//! only, since restarting does not make a full disk any emptier. Both are outside the in-flight
//! bound and the session layer (see `router::app`).

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::state::AppState;
use crate::db_health::PROBE_EVERY;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    /// `"sqlite"` or `"postgres"`.
    backend: &'static str,
    database: &'static str,
}

/// `GET /healthz`: `200 {"status":"ok","backend":"sqlite","database":"ok"}` while the process
/// serves. Asks the
/// database nothing (it stays cheap, and answers while the database is down); `database` is
/// what the last request or probe learned: `"ok"` or why it cannot be used.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    Json(Health {
        status: "ok",
        backend: state.db.backend().as_str(),
        database: state
            .db_health
            .down()
            .map_or("ok", |reason| reason.as_str()),
    })
}

/// `GET /readyz`: `200 {"status":"ready","backend":"postgres","database":"ok"}` when a write to the database works
/// (a real one, at most once a second: see `db_health`), else `503` with `Retry-After` and the
/// reason, e.g. `{"status":"unavailable","database":"database or disk is full"}`.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db_health.check().await {
        Ok(()) => Json(Health {
            status: "ready",
            backend: state.db.backend().as_str(),
            database: "ok",
        })
        .into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, PROBE_EVERY.as_secs().to_string())],
            Json(Health {
                status: "unavailable",
                backend: state.db.backend().as_str(),
                database: reason.as_str(),
            }),
        )
            .into_response(),
    }
}
