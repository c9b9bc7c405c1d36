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
pub struct Event<'a> {
    pub kind: Kind,
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub ip: IpAddr,
}

/// Appends `event`, and logs it (the name and IP, nothing secret).
pub async fn record(pool: &SqlitePool, event: Event<'_>, now: i64) -> sqlx::Result<()> {
    let username = event
        .username
        .map(|name| name.trim().chars().take(64).collect::<String>());
    let key = username.as_deref().map(super::form::username_key);
    tracing::info!(
        event = event.kind.as_str(),
        user_id = event.user_id,
        username = username.as_deref(),
        ip = %event.ip,
        "auth event"
    );
    sqlx::query(
        "INSERT INTO auth_events (at, kind, user_id, username, username_key, ip) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(now)
    .bind(event.kind.as_str())
    .bind(event.user_id)
    .bind(username)
    .bind(key)
    .bind(event.ip.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// Failed log-ins for the account `username_key` since `since` (Unix seconds): how many, and
/// when the last one was.
pub async fn failures_since(
    pool: &SqlitePool,
    username_key: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT count(*), max(at) FROM auth_events \
         WHERE kind = 'login_failed' AND username_key = ? AND at >= ?",
    )
    .bind(username_key)
    .bind(since)
    .fetch_one(pool)
    .await
}
