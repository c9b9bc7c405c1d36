//! The middleware that throttles log-in, registration and password reset posts before their server functions
//! run, by the rules of `auth::throttle` (per client IP, per account, per trusted device): a
//! throttled post is answered `429 Too Many Requests` with `Retry-After`, logged as a
//! `throttled` auth event, and gets a `warning` flash that says how long to wait.

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use super::state::AppState;
use crate::{
    auth::{
        device::{self, TrustedDevice},
        events::{self, Event, Kind},
        throttle::{self, client_key},
    },
    flash::Flasher,
    session::visitor::Visitor,
    text::{Lang, Msg, t},
};

/// The `username` field of an auth post, read exactly as the server function will read it
/// (server_fn's `serde_qs` settings): a name the throttle read differently from the log-in
/// (`[username]=victim` is `username` to `serde_qs`) would be guessed without the per-account
/// limit.
fn posted_username(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Fields {
        #[serde(default)]
        username: Option<String>,
    }
    let text = std::str::from_utf8(body).ok()?;
    serde_qs::Config::new(5, false)
        .deserialize_str::<Fields>(text)
        .ok()?
        .username
}

/// The posts limited per client address besides `/api/login` (which is also limited per
/// account here): registering, and asking for and using a password reset link (whose own
/// per-account limit is `auth::reset`'s).
const LIMITED_PER_ADDRESS: &[&str] = &[
    "/api/register",
    "/api/forgot_password",
    "/api/reset_password",
];

/// Middleware: throttles posts to `/api/login` and [`LIMITED_PER_ADDRESS`] (see the module
/// docs).
pub async fn throttle_auth_posts(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let login = path == "/api/login";
    if request.method() != Method::POST || !(login || LIMITED_PER_ADDRESS.contains(&path)) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let ip = crate::web::client_ip::client_ip(&parts, &state.trusted_proxies);
    // The body limit layer has already capped the size.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        let message = format!("{}\n", t(Lang::of_request(&parts)).http_body_too_large);
        return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
    };
    let username = posted_username(&bytes);
    // Set when the limits could not be read because the database is unavailable.
    let mut unavailable = None;
    let now_millis = state.lifetimes.clock.now_unix_millis();
    let mut wait = match state.auth_limiter.check(&state.db, ip, now_millis).await {
        Ok(admitted) => admitted.err().unwrap_or(0),
        Err(err) => {
            // Unknown: refused rather than let through unlimited.
            unavailable = state
                .db_health
                .failed("count an attempt of the address", &err);
            1
        }
    };
    // Refused for the address, whatever account it names: logged without one, so that a flood
    // of made-up names still writes one row a minute.
    let refused_for_address = wait > 0 && unavailable.is_none();
    let mut attempt = None;
    if wait == 0
        && login
        && let Some(name) = username.as_deref()
    {
        let key = crate::auth::form::username_key(name.trim());
        let now = state.lifetimes.now_unix();
        let device = device::trusted(
            &parts.headers,
            &state.cookies,
            &state.cookie_keys,
            &key,
            now,
        );
        // Checked and given a place in one step, in the database (every instance counts every
        // other's attempts); the place is held until the log-in has answered.
        match throttle::admit(&state.db, &key, device, now).await {
            Ok(Ok((admitted, counted_as))) => {
                attempt = Some(admitted);
                if let Some(trusted) = counted_as {
                    parts.extensions.insert(trusted);
                }
            }
            Ok(Err(seconds)) => wait = seconds,
            Err(err) => {
                // Unknown: refused for a second rather than let through unlimited.
                unavailable = state.db_health.failed("read failed log-ins", &err);
                wait = 1;
            }
        }
    }
    if wait == 0 {
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        // After the answer is ready (a failure is recorded by then), before it is sent.
        if let Some(attempt) = attempt
            && let Err(err) = attempt.end().await
        {
            state
                .db_health
                .failed("give back a log-in attempt's place", &err);
        }
        return response;
    }
    if unavailable.is_some() {
        // Not a throttling: the database could not say. `web::unavailable` words the 503.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    metrics::counter!("flashboard_throttled_total", "endpoint" => parts.uri.path().to_owned())
        .increment(1);
    let event = Event {
        kind: Kind::Throttled,
        user_id: None,
        username: username.as_deref().filter(|_| !refused_for_address),
        // Counted per client as the limiter counts it (an IPv6 client by its /64, which it
        // may rotate through): one row a minute, whatever address of it sent the attempt.
        ip: client_key(ip),
        device: parts
            .extensions
            .get::<TrustedDevice>()
            .map(|device| device.0.as_str()),
    };
    if let Err(err) = events::record(&state.db, event, state.lifetimes.now_unix()).await {
        state.db_health.failed("record a throttled attempt", &err);
    }
    let told = Msg::Throttled {
        seconds: u64::try_from(wait).unwrap_or_default(),
    };
    let visitor = parts.extensions.get::<Visitor>().cloned();
    // Throttling answers before `web::language` has run: decide here, as it would.
    let lang = super::language::decide(&session, visitor.as_ref(), &parts.headers).await;
    let message = told.render(lang);
    if let Err(err) = Flasher::new(state.flash.clone(), session)
        .visiting(visitor)
        .warning(told)
        .await
    {
        state.db_health.failed("flash the throttling", &err);
    }
    let mut response = (StatusCode::TOO_MANY_REQUESTS, format!("{message}\n")).into_response();
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
