//! Structured logs: `tracing` to stderr, filtered by `RUST_LOG`, and one line per request.

use std::time::Duration;

use axum::{body::Body, http::Request, response::Response};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::{DefaultOnBodyChunk, DefaultOnEos, TraceLayer},
};
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// The default log filter when `RUST_LOG` is not set. tower-sessions' own error lines for a
/// failed load or save are off: the app's store logs its failures itself, once per outage when
/// the database is unavailable (see `crate::db_health`).
const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_sessions=warn,tower_sessions::service=off,\
                              tower_sessions_core=off";

/// Installs the global log subscriber (a second call is a no-op, so tests may call it freely).
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

type MakeSpan = fn(&Request<Body>) -> Span;
type OnRequest = fn(&Request<Body>, &Span);
type OnResponse = fn(&Response<Body>, Duration, &Span);

/// The request log: one `INFO` line when each response is ready, with method, path (never the
/// query string, which may hold user input), status and latency. No second line for a `5xx`:
/// its cause is logged where it happened, and a database outage once (see `crate::db_health`).
pub fn request_log() -> TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    MakeSpan,
    OnRequest,
    OnResponse,
    DefaultOnBodyChunk,
    DefaultOnEos,
    (),
> {
    TraceLayer::new_for_http()
        .make_span_with(make_span as MakeSpan)
        .on_request(on_request as OnRequest)
        .on_response(on_response as OnResponse)
        .on_failure(())
}

fn make_span(request: &Request<Body>) -> Span {
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
}

fn on_request(_: &Request<Body>, _: &Span) {}

fn on_response(response: &Response<Body>, latency: Duration, _: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "served"
    );
}
