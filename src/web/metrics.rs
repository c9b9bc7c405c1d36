//! `/metrics` in the Prometheus text format, served on an address of its own
//! (`server.metrics_address`, off by default) so that it is never public by accident.
//!
//! Counted as requests are served (the `metrics` facade; `metrics-exporter-prometheus` keeps
//! the values and writes the text):
//! - `flashboard_http_requests_total{route,method,status}` and
//!   `flashboard_http_request_duration_seconds{route,method,status}` (a histogram), by the
//!   route's pattern (`/api/login`, `/dashboard`), `static` for files, `unmatched` for the
//!   rest, so that made-up addresses cannot add series;
//! - `flashboard_logins_total{outcome}` (`success`, `failure`), `flashboard_throttled_total{endpoint}`,
//!   `flashboard_flashes_pushed_total`, `flashboard_flashes_shown_total`,
//!   `flashboard_flashes_dropped_total` (the oldest of a full queue), counted where they happen
//!   (`api::account`, `web::throttle`, `flash`).
//!
//! Read at each scrape: `flashboard_password_hashes{state="running"|"waiting"}`,
//! `flashboard_sessions_live`, `flashboard_db_connections{state="in_use"|"idle"}` and
//! `flashboard_db_connections_max`.

use std::{sync::OnceLock, time::Instant};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::state::AppState;

/// Request latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder: installed once (the `metrics` facade has one global recorder; the
/// tests' servers in one process share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("flashboard_http_request_duration_seconds".to_owned()),
                LATENCY_BUCKETS,
            )
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder is installed already (then that one counts).
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Middleware: counts every request and its latency by route, method and status.
pub async fn track(request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned(),
        None if request.uri().path().starts_with("/pkg/") => "static".to_owned(),
        None => "unmatched".to_owned(),
    };
    // The standard methods by name, any other as `OTHER`: a client must not add series.
    let method = match *request.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::DELETE
        | Method::PATCH
        | Method::OPTIONS => request.method().as_str().to_owned(),
        _ => "OTHER".to_owned(),
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("route", route),
        ("method", method),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("flashboard_http_requests_total", &labels).increment(1);
    metrics::histogram!("flashboard_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The metrics endpoint's own router: `GET /metrics`, to serve on `server.metrics_address`.
pub fn router(state: AppState) -> Router {
    handle();
    Router::new()
        .route("/metrics", get(render))
        .with_state(state)
}

/// `GET /metrics`: what was counted, and the gauges read now.
async fn render(State(state): State<AppState>) -> Response {
    let threads = state.passwords.threads();
    let admitted = state.passwords.running();
    metrics::gauge!("flashboard_password_hashes", "state" => "running")
        .set(admitted.min(threads) as f64);
    metrics::gauge!("flashboard_password_hashes", "state" => "waiting")
        .set(admitted.saturating_sub(threads) as f64);
    let (open, idle, most) = state.db.pool_usage();
    metrics::gauge!("flashboard_db_connections", "state" => "in_use")
        .set(f64::from(open) - idle as f64);
    metrics::gauge!("flashboard_db_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("flashboard_db_connections_max").set(f64::from(most));
    let now = state.lifetimes.now_unix();
    match crate::db::sessions::count_live(&state.db, now).await {
        Ok(live) => metrics::gauge!("flashboard_sessions_live").set(live as f64),
        Err(err) => {
            state
                .db_health
                .failed("count live sessions for the metrics", &err);
        }
    }
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
