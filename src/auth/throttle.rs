//! Throttling of log-in and registration, before the server functions run:
//!
//! - **Per client IP**: at most `auth.attempts_per_ip_per_minute` posts to `/api/login` and
//!   `/api/register` (a `governor` token bucket per IP, in memory).
//! - **Per account**: failed log-ins for a user name (existing or not) in the last hour. The
//!   first [`FREE_FAILURES`] cost nothing; after them each attempt must wait 1 s, 2 s, 4 s ...
//!   at most [`MAX_DELAY_SECS`] after the previous failure, so at most 100 failures an hour get
//!   through, and no stranger can lock the owner out for longer than that delay. Attempts
//!   still being evaluated ([`AttemptsInFlight`]) count as failures that just happened, so
//!   simultaneous attempts cannot all pass the check made before their password hash.
//!
//! A throttled request is answered `429 Too Many Requests` with `Retry-After`, logged as a
//! `throttled` auth event, and gets a `warning` flash that says how long to wait.

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
};

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use tower_sessions::{Session, cookie::time::OffsetDateTime};

use super::events::{self, Event, Kind};
use crate::{flash::Flasher, server::state::AppState, text::t};

/// Failed log-ins per account per hour that cost no waiting.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between failed log-ins of one account: 3600 / 36 = 100 an hour.
pub const MAX_DELAY_SECS: i64 = 36;

/// How long after the last failure the next attempt must wait, with `failures` in the last hour.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(16) as u32;
    2_i64.pow(doublings).min(MAX_DELAY_SECS)
}

/// Seconds the account `username_key` must still wait before its next log-in attempt, when
/// `earlier` attempts of it are still being evaluated (each counts as a failure just now).
pub async fn account_wait(
    pool: &sqlx::SqlitePool,
    username_key: &str,
    earlier: u32,
) -> sqlx::Result<i64> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let (failures, last) = events::failures_since(pool, username_key, now - 3600).await?;
    let failures = failures + i64::from(earlier);
    let last = if earlier > 0 { Some(now) } else { last };
    let Some(last) = last else { return Ok(0) };
    Ok((last + delay_after(failures) - now).max(0))
}

/// Log-in attempts being evaluated right now, per account. The check runs before the password
/// hash and the failure is recorded after it, so without these, simultaneous wrong passwords
/// would all pass the check; each attempt in flight counts as a failure that just happened.
/// An entry lives only while its attempts do (its memory is bounded by the requests in flight).
#[derive(Clone, Default)]
pub struct AttemptsInFlight(Arc<Mutex<HashMap<String, u32>>>);

/// One attempt's place; given back when dropped (the log-in ended, or its client hung up).
pub struct Reservation {
    attempts: AttemptsInFlight,
    key: String,
}

impl AttemptsInFlight {
    /// Reserves a place for an attempt on `key`; also returns how many were in flight before it.
    pub fn reserve(&self, key: &str) -> (Reservation, u32) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = map.entry(key.to_owned()).or_insert(0);
        let earlier = *count;
        *count += 1;
        let reservation = Reservation {
            attempts: self.clone(),
            key: key.to_owned(),
        };
        (reservation, earlier)
    }

    /// Accounts with attempts in flight (for tests).
    pub fn accounts(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut map = self.attempts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// The per-IP token buckets.
#[derive(Clone)]
pub struct IpLimiter {
    buckets: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    max_clients: usize,
}

/// Client buckets kept at most. Past that (a flood from very many addresses), every address
/// not yet forgotten by the cleaner shares one bucket, so memory stays bounded (a bucket is a
/// few dozen bytes: 100,000 of them are a few MB).
pub const MAX_TRACKED_CLIENTS: usize = 100_000;

/// The key of the one bucket shared past [`MAX_TRACKED_CLIENTS`].
const OVERFLOW: IpAddr = IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED);

/// Whose bucket an address counts against: an IPv4 address itself; an IPv6 address by its /64
/// (one customer's network: it has more addresses than anyone could try).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

impl IpLimiter {
    pub fn per_minute(attempts: u32) -> Self {
        Self::with_capacity(attempts, MAX_TRACKED_CLIENTS)
    }

    /// At most `max_clients` buckets of `attempts` a minute.
    pub fn with_capacity(attempts: u32, max_clients: usize) -> Self {
        let attempts = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
        Self {
            buckets: Arc::new(RateLimiter::keyed(Quota::per_minute(attempts))),
            max_clients,
        }
    }

    /// `Ok`, or the seconds until `ip` may try again.
    pub fn check(&self, ip: IpAddr) -> Result<(), i64> {
        let key = if self.buckets.len() < self.max_clients {
            client_key(ip)
        } else {
            OVERFLOW
        };
        self.buckets.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            wait.as_secs().max(1) as i64
        })
    }

    /// Buckets held now.
    pub fn clients(&self) -> usize {
        self.buckets.len()
    }

    /// Starts the task that forgets idle buckets every minute, so memory stays bounded.
    pub fn spawn_cleaner(&self) -> tokio::task::JoinHandle<()> {
        let limiter = self.buckets.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                limiter.retain_recent();
            }
        })
    }
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
    let (parts, body) = request.into_parts();
    let ip = crate::server::client_ip::client_ip(&parts, &state.config.server.trusted_proxies);
    // The body limit layer has already capped the size.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.\n").into_response();
    };
    let username = form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == "username")
        .map(|(_, value)| value.into_owned());
    let mut wait = state.auth_limiter.check(ip).err().unwrap_or(0);
    let mut reservation = None;
    if wait == 0
        && login
        && let Some(name) = username.as_deref()
    {
        let key = super::form::username_key(name.trim());
        // Reserved before the check, held until the log-in has answered.
        let (reserved, earlier) = state.login_attempts.reserve(&key);
        reservation = Some(reserved);
        match account_wait(&state.pool, &key, earlier).await {
            Ok(seconds) => wait = seconds,
            Err(err) => tracing::error!(error = %err, "could not read failed log-ins"),
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
    let event = Event {
        kind: Kind::Throttled,
        user_id: None,
        username: username.as_deref(),
        ip,
    };
    if let Err(err) = events::record(&state.pool, event).await {
        tracing::error!(error = %err, "could not record a throttled attempt");
    }
    let message = t().throttled.replace("{seconds}", &wait.to_string());
    if let Err(err) = Flasher::new(state.flash.clone(), session)
        .warning(message.clone())
        .await
    {
        tracing::error!(error = %err, "could not flash the throttling");
    }
    let mut response = (StatusCode::TOO_MANY_REQUESTS, format!("{message}\n")).into_response();
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap_at_a_hundred_an_hour() {
        let delays: Vec<i64> = (0..13).map(delay_after).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 36, 36]);
        assert!(3600 / delay_after(1_000) <= 100);
    }

    #[test]
    fn an_ipv6_client_is_its_64_network() {
        let limiter = IpLimiter::per_minute(1);
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!(limiter.check(ip("2001:db8:0:1::1")).is_ok());
        // Another address of the same /64 shares the bucket.
        assert!(limiter.check(ip("2001:db8:0:1:ffff::2")).is_err());
        // The next /64 does not.
        assert!(limiter.check(ip("2001:db8:0:2::1")).is_ok());
        // An IPv4-mapped address is its IPv4 address.
        assert!(limiter.check(ip("192.0.2.7")).is_ok());
        assert!(limiter.check(ip("::ffff:192.0.2.7")).is_err());
        assert_eq!(client_key(ip("2001:db8:0:1:a:b:c:d")), ip("2001:db8:0:1::"));
    }

    #[test]
    fn a_flood_from_many_addresses_keeps_a_bounded_number_of_buckets() {
        let limiter = IpLimiter::with_capacity(5, 100);
        for n in 0..10_000u32 {
            let _ = limiter.check(IpAddr::V4(n.into()));
        }
        assert!(limiter.clients() <= 101, "{} buckets", limiter.clients());
        // Past the bound, new addresses share one bucket: it runs dry.
        let refused = (10_000..10_010u32)
            .filter(|n| limiter.check(IpAddr::V4((*n).into())).is_err())
            .count();
        assert!(refused > 0);
    }
}
