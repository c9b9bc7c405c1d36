//! Answers for when the server cannot keep up: a request still running after
//! `server.request_timeout`, or one arriving while `server.max_in_flight` others are handled,
//! gets `503 Service Unavailable` (with `Retry-After` for the second) at once, rather than a
//! queue that grows until every client times out. tower's timeout, concurrency-limit and
//! load-shed layers do the work; this module only sets them up and words the answers.
//!
//! A request that times out is dropped like one whose client hung up: its session is not
//! saved (database writes it already made stay), and a password hash it started still counts
//! against the hashing bound until it ends.

use std::time::Duration;

use axum::{
    BoxError,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use tower::{load_shed::error::Overloaded, timeout::error::Elapsed};

use crate::text::{Lang, t};

/// How long an overloaded server asks clients to wait before trying again.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The answer to a request the layers refused (for axum's `HandleErrorLayer`, outermost of
/// them; see `router::app` for the stack).
pub async fn answer(headers: HeaderMap, err: BoxError) -> Response {
    let text = t(Lang::of_headers(&headers));
    if err.is::<Overloaded>() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER.as_secs().to_string())],
            text.http_busy,
        )
            .into_response()
    } else if err.is::<Elapsed>() {
        tracing::warn!("request timed out");
        (StatusCode::SERVICE_UNAVAILABLE, text.http_timed_out).into_response()
    } else {
        // Nothing inside fails otherwise (axum's handlers are infallible).
        tracing::error!(error = %err, "request failed in the overload layers");
        (StatusCode::INTERNAL_SERVER_ERROR, text.http_failed).into_response()
    }
}
