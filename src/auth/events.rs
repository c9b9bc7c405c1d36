//! The authentication event log (`auth_events`, migration `0004_auth_events.sql`).

use std::net::IpAddr;

use sqlx::SqlitePool;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Register,
    Login,
    LoginFailed,
    Throttled,
    Logout,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Register => "register",
            Kind::Login => "login",
            Kind::LoginFailed => "login_failed",
            Kind::Throttled => "throttled",
            Kind::Logout => "logout",
        }
    }
}

/// One event. `username` is what was typed (it is cut to 64 characters); never a password.
/// `device`: the trusted device the attempt came from (see [`super::device`]).
pub struct Event<'a> {
    pub kind: Kind,
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub ip: IpAddr,
    pub device: Option<&'a str>,
}

/// Appends `event`, and logs it (the name and IP, nothing secret). A `throttled` event within
/// a minute of another for the same client address and account is counted in that one's row
/// instead (a flood of refused attempts writes one row a minute, not one each).
pub async fn record(pool: &SqlitePool, event: Event<'_>, now: i64) -> sqlx::Result<()> {
    let username = event
        .username
        .map(|name| name.trim().chars().take(64).collect::<String>());
    // The key of the whole name, as the throttle and the log-in compute it (the cut name's key
    // could differ, and its failures would count for no account).
    let key = event.username.map(super::form::username_key);
    tracing::info!(
        event = event.kind.as_str(),
        user_id = event.user_id,
        username = username.as_deref(),
        ip = %event.ip,
        "auth event"
    );
    if event.kind == Kind::Throttled {
        let counted = sqlx::query(
            "UPDATE auth_events SET count = count + 1 WHERE id = \
               (SELECT id FROM auth_events WHERE kind = 'throttled' AND ip = ? AND at > ? \
                  AND username_key IS ? ORDER BY id DESC LIMIT 1)",
        )
        .bind(event.ip.to_string())
        .bind(now - 60)
        .bind(&key)
        .execute(pool)
        .await?
        .rows_affected();
        if counted == 1 {
            return Ok(());
        }
    }
    sqlx::query(
        "INSERT INTO auth_events (at, kind, user_id, username, username_key, ip, device) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now)
    .bind(event.kind.as_str())
    .bind(event.user_id)
    .bind(username)
    .bind(key)
    .bind(event.ip.to_string())
    .bind(event.device)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes the events older than `retention` seconds before `now`, a thousand at a time (each
/// batch a short write). Returns how many went.
pub async fn prune(pool: &SqlitePool, retention: i64, now: i64) -> sqlx::Result<u64> {
    let mut deleted = 0;
    loop {
        let started = std::time::Instant::now();
        let batch = sqlx::query(
            "DELETE FROM auth_events WHERE id IN \
               (SELECT id FROM auth_events WHERE at < ? LIMIT 1000)",
        )
        .bind(now.saturating_sub(retention))
        .execute(pool)
        .await?
        .rows_affected();
        deleted += batch;
        if batch < 1000 {
            return Ok(deleted);
        }
        // As the session sweeper: writers waiting for the lock get it between batches.
        tokio::time::sleep((started.elapsed() * 3).max(std::time::Duration::from_millis(10))).await;
    }
}

/// Deletes events past `retention` every `every`, until the task is aborted (a failure is told
/// to `health`, logged, and retried next time).
pub fn spawn_pruner(
    pool: SqlitePool,
    health: crate::db_health::DbHealth,
    retention: std::time::Duration,
    every: std::time::Duration,
    clock: crate::clock::Clock,
) -> tokio::task::JoinHandle<()> {
    let retention = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await; // The first tick is immediate; start-up has other work.
        loop {
            interval.tick().await;
            match prune(&pool, retention, clock.now_unix()).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "auth events past their retention deleted"),
                Err(err) => {
                    health.failed("prune auth events (retrying next time)", &err);
                }
            }
        }
    })
}

/// Failed log-ins for the account `username_key` since `since` (Unix seconds), made without a
/// trusted device cookie (see [`super::device`]): how many, and when the last one was.
pub async fn failures_since(
    pool: &SqlitePool,
    username_key: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT count(*), max(at) FROM auth_events \
         WHERE kind = 'login_failed' AND username_key = ? AND at >= ? AND device IS NULL",
    )
    .bind(username_key)
    .bind(since)
    .fetch_one(pool)
    .await
}

/// Failed log-ins made from trusted device `device` since `since` (Unix seconds), and when the
/// last one was.
pub async fn device_failures_since(
    pool: &SqlitePool,
    device: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT count(*), max(at) FROM auth_events \
         WHERE kind = 'login_failed' AND device = ? AND at >= ?",
    )
    .bind(device)
    .bind(since)
    .fetch_one(pool)
    .await
}
