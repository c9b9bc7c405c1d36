//! The `auth_events` table: the authentication event log (migration `0004_auth_events.sql`).

use super::Db;

/// A row to append. `username` is already cut to length; `username_key` is the whole name's.
pub struct NewEvent<'a> {
    pub at: i64,
    pub kind: &'a str,
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub username_key: Option<&'a str>,
    pub ip: &'a str,
    pub device: Option<&'a str>,
}

/// Counts one more in the latest `throttled` row for `ip` and `username_key` written after
/// `since`; `false` when there is none.
pub async fn count_throttled_again(
    db: &Db,
    ip: &str,
    username_key: Option<&str>,
    since: i64,
) -> sqlx::Result<bool> {
    let counted = on_pool!(db, pool => sqlx::query(
        "UPDATE auth_events SET count = count + 1 WHERE id = \
           (SELECT id FROM auth_events WHERE kind = 'throttled' AND ip = $1 AND at > $2 \
              AND username_key IS NOT DISTINCT FROM $3 ORDER BY id DESC LIMIT 1)",
    )
    .bind(ip)
    .bind(since)
    .bind(username_key)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(counted == 1)
}

/// Appends `event`.
pub async fn insert(db: &Db, event: &NewEvent<'_>) -> sqlx::Result<()> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO auth_events (at, kind, user_id, username, username_key, ip, device) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event.at)
    .bind(event.kind)
    .bind(event.user_id)
    .bind(event.username)
    .bind(event.username_key)
    .bind(event.ip)
    .bind(event.device)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// Deletes the events from before `before` (Unix seconds), a thousand at a time (each batch a
/// short write, with a pause after it so that writers waiting for the lock get it between
/// batches, as the session sweeper does). Returns how many went.
pub async fn prune(db: &Db, before: i64) -> sqlx::Result<u64> {
    let mut deleted = 0;
    loop {
        let started = std::time::Instant::now();
        let batch = on_pool!(db, pool => sqlx::query(
            "DELETE FROM auth_events WHERE id IN \
               (SELECT id FROM auth_events WHERE at < $1 LIMIT 1000)",
        )
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected());
        deleted += batch;
        if batch < 1000 {
            return Ok(deleted);
        }
        tokio::time::sleep((started.elapsed() * 3).max(std::time::Duration::from_millis(10))).await;
    }
}

/// Failed log-ins for the account `username_key` since `since` (Unix seconds), made without a
/// trusted device cookie: how many, and when the last one was.
pub async fn failures_since(
    db: &Db,
    username_key: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT count(*), max(at) FROM auth_events \
         WHERE kind = 'login_failed' AND username_key = $1 AND at >= $2 AND device IS NULL",
    )
    .bind(username_key)
    .bind(since)
    .fetch_one(pool)
    .await)
}

/// Failed log-ins made from the trusted device `device` since `since` (Unix seconds), and when
/// the last one was.
pub async fn device_failures_since(
    db: &Db,
    device: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT count(*), max(at) FROM auth_events \
         WHERE kind = 'login_failed' AND device = $1 AND at >= $2",
    )
    .bind(device)
    .bind(since)
    .fetch_one(pool)
    .await)
}

/// Events of `kind` under the name or address whose comparison key is `username_key` since
/// `since` (Unix seconds): how many, and when the first of them was. (For the reset links'
/// limits: `reset_requested`, `reset_mailed`.)
pub async fn count_since(
    db: &Db,
    kind: &str,
    username_key: &str,
    since: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    on_pool!(db, pool => sqlx::query_as(
        // The `IN` term repeats the partial index's condition word for word: SQLite uses such an
        // index only when the query's terms show they imply it.
        "SELECT count(*), min(at) FROM auth_events \
         WHERE kind IN ('reset_requested', 'reset_mailed') AND kind = $1 \
           AND username_key = $2 AND at >= $3",
    )
    .bind(kind)
    .bind(username_key)
    .bind(since)
    .fetch_one(pool)
    .await)
}
