//! Structured logs: `tracing` to stderr, filtered by `RUST_LOG`, as text or as one JSON object
//! per line (`log.format = "json"`, for log shippers), and one line per request, which carries
//! the request's id (`web::request_id`) as every line logged while it is served does.

use std::time::Duration;

use axum::{body::Body, http::Request, response::Response};
use serde::{Deserialize, Serialize};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::{DefaultOnBodyChunk, DefaultOnEos, TraceLayer},
};
use tracing::Span;
use tracing_subscriber::EnvFilter;

use super::request_id::RequestId;

/// `[log]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (for people) or `json` (one object per line, for log shippers).
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The default log filter when `RUST_LOG` is not set. tower-sessions' own error lines for a
/// failed load or save are off: the app's store logs its failures itself, once per outage when
/// the database is unavailable (see `crate::db_health`).
const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_sessions=warn,tower_sessions::service=off,\
                              tower_sessions_core=off";

/// Installs the global log subscriber, writing `format` (a second call is a no-op, so tests
/// may call it freely).
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        // The request's span (its id, method and path) inside each line, as `span`.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
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
    let id = request
        .extensions()
        .get::<RequestId>()
        .map_or("-", RequestId::as_str);
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path()
    )
}

fn on_request(_: &Request<Body>, _: &Span) {}

fn on_response(response: &Response<Body>, latency: Duration, _: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "served"
    );
}
