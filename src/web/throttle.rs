//! The middleware that throttles log-in and registration posts before their server functions
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
        throttle::{MAX_READS, NotAdmitted, client_key, wait_before_attempt},
    },
    flash::Flasher,
    session::visitor::Visitor,
    text::{Lang, t},
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

/// Middleware: throttles posts to `/api/login` and `/api/register` (see the module docs).
pub async fn throttle_auth_posts(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let login = path == "/api/login";
    if request.method() != Method::POST || !(login || path == "/api/register") {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let ip = crate::web::client_ip::client_ip(&parts, &state.trusted_proxies);
    // The body limit layer has already capped the size.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        let message = format!("{}\n", t(Lang::current()).http_body_too_large);
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
    let mut reservation = None;
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
        // Read, then checked and reserved in one step (read again when an attempt ended
        // meanwhile, a few times at most); held until the log-in has answered. A trusted
        // device's attempts in flight are its own.
        wait = 1;
        let mut trusted = None;
        for _ in 0..MAX_READS {
            let read_after = state.login_attempts.released();
            let (after_failures, failures, counted_as) =
                wait_before_attempt(&state.db, &key, device.clone(), now)
                    .await
                    .unwrap_or_else(|err| {
                        // Unknown: refused for a second rather than let through unlimited.
                        unavailable = state.db_health.failed("read failed log-ins", &err);
                        (1, 0, None)
                    });
            let slot = match &counted_as {
                Some(TrustedDevice(device)) => format!("device {device}"),
                None => key.clone(),
            };
            match state
                .login_attempts
                .admit(&slot, after_failures, failures, read_after)
            {
                Ok(reserved) => {
                    reservation = Some(reserved);
                    wait = 0;
                    trusted = counted_as;
                    break;
                }
                Err(NotAdmitted::Wait(seconds)) => {
                    wait = seconds;
                    break;
                }
                Err(NotAdmitted::ReadAgain) => {}
            }
        }
        if let Some(trusted) = trusted {
            parts.extensions.insert(trusted);
        }
    }
    if wait == 0 {
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        drop(reservation);
        return response;
    }
    drop(reservation);
    if unavailable.is_some() {
        // Not a throttling: the database could not say. `web::unavailable` words the 503.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
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
    let message = t(Lang::current())
        .throttled
        .replace("{seconds}", &wait.to_string());
    let visitor = parts.extensions.get::<Visitor>().cloned();
    if let Err(err) = Flasher::new(state.flash.clone(), session)
        .visiting(visitor)
        .warning(message.clone())
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
