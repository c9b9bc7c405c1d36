//! The probes for whoever runs the server:
//!
//! - `GET /livez` (liveness: is the process serving?), always `200` while it serves;
//! - `GET /healthz` (health: is this instance well, as far as it knows?), `503` while the
//!   database is known to be down, without asking it;
//! - `GET /readyz` (readiness: can it do its work?), which proves a database write works and
//!   that every migration this version knows has been applied.
//!
//! A load balancer should route by `/readyz` (or `/healthz`); an orchestrator should restart by
//! `/livez` only, since restarting does not make a full disk any emptier, nor bring back a
//! database server. All three name the backend and are outside the in-flight bound and the
//! session layer (see `router::app`).

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

/// `GET /livez`: `200 {"status":"ok","backend":"sqlite","database":"ok"}` while the process
/// serves, whatever the database does; `database` is what the last request or probe learned:
/// `"ok"` or why it cannot be used. Asks the database nothing.
pub async fn livez(State(state): State<AppState>) -> impl IntoResponse {
    Json(Health {
        status: "ok",
        backend: state.db.backend().as_str(),
        database: state
            .db_health
            .down()
            .map_or("ok", |reason| reason.as_str()),
    })
}

/// `GET /healthz`: as `/livez` while the database works; `503` with `Retry-After` and
/// `{"status":"unavailable",...,"database":"<reason>"}` while the last request or probe found it
/// down (the watcher of `db_health` probes every second meanwhile, so it turns `200` by itself
/// once the database is back). Asks the database nothing: it stays cheap.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db_health.down() {
        None => livez(State(state)).await.into_response(),
        Some(reason) => unavailable(&state, reason.as_str()),
    }
}

/// A `503` that names the reason.
fn unavailable(state: &AppState, reason: &'static str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, PROBE_EVERY.as_secs().to_string())],
        Json(Health {
            status: "unavailable",
            backend: state.db.backend().as_str(),
            database: reason,
        }),
    )
        .into_response()
}

/// `GET /readyz`: `200 {"status":"ready","backend":"postgres","database":"ok"}` when a write to the database works
/// (a real one, at most once a second: see `db_health`), else `503` with `Retry-After` and the
/// reason, e.g. `{"status":"unavailable","database":"database or disk is full"}`, or
/// `"migrations pending"` while the database lacks a migration this version knows.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let checked = match state.db_health.check().await {
        Ok(()) => migrated(&state).await,
        Err(reason) => Err(reason.as_str()),
    };
    match checked {
        Ok(()) => Json(Health {
            status: "ready",
            backend: state.db.backend().as_str(),
            database: "ok",
        })
        .into_response(),
        Err(reason) => unavailable(&state, reason),
    }
}

/// Whether every migration this version knows has been applied (an instance that starts while
/// another migrates, or a newer binary on an older database, is not ready). Once they all
/// are, that is remembered: migrations are never taken back.
async fn migrated(state: &AppState) -> Result<(), &'static str> {
    use std::sync::atomic::Ordering;
    if state.migrated.load(Ordering::Relaxed) {
        return Ok(());
    }
    match state.db.pending_migrations().await {
        Ok(pending) if pending.is_empty() => {
            state.migrated.store(true, Ordering::Relaxed);
            Ok(())
        }
        Ok(pending) => {
            tracing::warn!(?pending, "not ready: migrations not applied");
            Err("migrations pending")
        }
        Err(err) => {
            tracing::warn!(error = %err, "not ready: cannot read the applied migrations");
            Err("migrations unknown")
        }
    }
}
