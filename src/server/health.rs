//! `GET /healthz`: a liveness and readiness probe that checks the database.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;

use super::{db, state::AppState};

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// `200 {"status":"ok","database":"ok"}` when the database answers, else `503` and
/// `"database":"unavailable"` (the cause goes to the log, not to the caller).
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match db::ping(&state.pool).await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "ok",
            }),
        ),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "error",
                    database: "unavailable",
                }),
            )
        }
    }
}
