//! The authentication event log: what is recorded of each log-in, registration, log-out and
//! throttled attempt (stored by `db::events`), and the task that prunes it.

use std::net::IpAddr;

use crate::db::{self, Db};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Register,
    Login,
    LoginFailed,
    Throttled,
    Logout,
    /// A password changed by its owner on `/account`.
    PasswordChanged,
    /// An account deleted by its owner (recorded without the name or id).
    AccountDeleted,
    /// A reset link asked for, under the name or address typed (whether or not it names an
    /// account: the per-account limit counts these).
    ResetRequested,
    /// A reset mail sent, under the address it went to (the per-address limit counts these).
    ResetMailed,
    /// A password set with a reset link.
    PasswordReset,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Register => "register",
            Kind::Login => "login",
            Kind::LoginFailed => "login_failed",
            Kind::Throttled => "throttled",
            Kind::Logout => "logout",
            Kind::PasswordChanged => "password_changed",
            Kind::AccountDeleted => "account_deleted",
            Kind::ResetRequested => "reset_requested",
            Kind::ResetMailed => "reset_mailed",
            Kind::PasswordReset => "password_reset",
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
pub async fn record(db: &Db, event: Event<'_>, now: i64) -> sqlx::Result<()> {
    // Without control characters (a NUL is refused by PostgreSQL; a line break would forge a
    // log line).
    let username = event.username.map(|name| {
        name.trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect::<String>()
    });
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
    let ip = event.ip.to_string();
    if event.kind == Kind::Throttled
        && db::events::count_throttled_again(db, &ip, key.as_deref(), now - 60).await?
    {
        return Ok(());
    }
    let row = db::events::NewEvent {
        at: now,
        kind: event.kind.as_str(),
        user_id: event.user_id,
        username: username.as_deref(),
        username_key: key.as_deref(),
        ip: &ip,
        device: event.device,
    };
    db::events::insert(db, &row).await
}

/// Deletes the events older than `retention` seconds before `now` (see [`db::events::prune`]).
/// Returns how many went.
pub async fn prune(db: &Db, retention: i64, now: i64) -> sqlx::Result<u64> {
    db::events::prune(db, now.saturating_sub(retention)).await
}

/// Deletes events past `retention`, the places of log-in attempts whose instance died
/// ([`super::throttle::prune_attempts`]), expired password reset links, and the per-address
/// limits' spent cells
/// ([`super::throttle::IpLimiter::prune`]), every `every`, until the task is aborted (a failure
/// is told to `health`, logged, and retried next time).
pub fn spawn_pruner(
    db: Db,
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
            match prune(&db, retention, clock.now_unix()).await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "auth events past their retention deleted"),
                Err(err) => {
                    health.failed("prune auth events (retrying next time)", &err);
                }
            }
            if let Err(err) = db::password_resets::prune(&db, clock.now_unix()).await {
                health.failed("prune expired reset links (retrying next time)", &err);
            }
            if let Err(err) = super::throttle::prune_attempts(&db, clock.now_unix()).await {
                health.failed("prune stale log-in attempts (retrying next time)", &err);
            }
            let now_millis = clock.now_unix_millis();
            if let Err(err) = super::throttle::IpLimiter::prune(&db, now_millis).await {
                health.failed("prune spent per-address limits (retrying next time)", &err);
            }
        }
    })
}
