//! Answers for when the server cannot keep up: a request still running after
//! `server.request_timeout`, or one arriving while `server.max_in_flight` others are handled,
//! gets `503 Service Unavailable` (with `Retry-After` for the second) at once, rather than a
//! queue that grows until every client times out.
//!
//! One middleware does what tower's timeout, concurrency-limit and load-shed layers under
//! axum's `HandleErrorLayer` did: four services per request, and a copy of the request's
//! headers kept for an error that almost never comes (the README's Performance section has
//! what that cost).
//!
//! A request that times out is dropped like one whose client hung up: its session is not
//! saved (database writes it already made stay), and a password hash it started still counts
//! against the hashing bound until it ends.

use std::{num::NonZeroUsize, sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use crate::text::{Lang, t};

/// How long an overloaded server asks clients to wait before trying again.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The bounds of `server.max_in_flight` and `server.request_timeout`, shared by every request.
#[derive(Clone)]
pub struct Limits {
    in_flight: Arc<Semaphore>,
    timeout: Duration,
}

impl Limits {
    pub fn new(max_in_flight: NonZeroUsize, timeout: Duration) -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(max_in_flight.get())),
            timeout,
        }
    }
}

/// Middleware: refuses a request when `max_in_flight` others are being handled, and answers
/// one that runs past the timeout; the place is held until the answer is ready.
pub async fn limit(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let Ok(_place) = limits.in_flight.try_acquire() else {
        let text = t(Lang::of_headers(request.headers()));
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(
                header::RETRY_AFTER,
                HeaderValue::from(RETRY_AFTER.as_secs()),
            )],
            text.http_busy,
        )
            .into_response();
    };
    // Only the header the answer's language needs (a cheap copy), not every header.
    let asked = request.headers().get(header::ACCEPT_LANGUAGE).cloned();
    match tokio::time::timeout(limits.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            let lang = Lang::of_header_value(asked.as_ref());
            (StatusCode::SERVICE_UNAVAILABLE, t(lang).http_timed_out).into_response()
        }
    }
}
