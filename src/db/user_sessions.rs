//! Which session records belong to which user: the device columns of `tower_sessions`
//! (migration `0006_session_devices.sql`), as the devices list reads them, and deleting another
//! device's record.

use super::Db;

/// One live, logged-in session record of a user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub session_id: String,
    pub started_at: i64,
    pub last_seen: i64,
    pub remembered: bool,
    pub user_agent: Option<String>,
}

/// The records of `user_id` live at `now`, most recently used first.
pub async fn list(db: &Db, user_id: i64, now: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT id AS session_id, started_at, last_seen, remembered, user_agent \
         FROM tower_sessions WHERE user_id = ? AND expiry_date > ? \
         ORDER BY last_seen DESC, rowid DESC",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(&db.pool)
    .await
}

/// Deletes the record `session_id` if it is `user_id`'s (its flashes go with it). Returns
/// whether one went.
pub async fn delete(db: &Db, user_id: i64, session_id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM tower_sessions WHERE id = ? AND user_id = ?")
        .bind(session_id)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes every record of `user_id` but `keep`. Returns how many went.
pub async fn delete_others(db: &Db, user_id: i64, keep: &str) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM tower_sessions WHERE user_id = ? AND id <> ?")
        .bind(user_id)
        .bind(keep)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}
