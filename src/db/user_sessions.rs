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

/// The records of `user_id` live at `now`, most recently used first (of two used in the same
/// second, the newer record first: SQLite's `rowid`, PostgreSQL's `seq`).
pub async fn list(db: &Db, user_id: i64, now: i64) -> sqlx::Result<Vec<Entry>> {
    const SELECT: &str = "SELECT id AS session_id, started_at, last_seen, remembered, user_agent \
                          FROM tower_sessions WHERE user_id = $1 AND expiry_date > $2 \
                          ORDER BY last_seen DESC, ";
    let order = match db {
        Db::Sqlite(_) => "rowid DESC",
        Db::Postgres(_) => "seq DESC",
    };
    let sql = format!("{SELECT}{order}");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(user_id).bind(now).fetch_all(pool).await)
}

/// Deletes the record `session_id` if it is `user_id`'s (its flashes go with it). Returns
/// whether one went.
pub async fn delete(db: &Db, user_id: i64, session_id: &str) -> sqlx::Result<bool> {
    let deleted = on_pool!(db, pool => sqlx::query("DELETE FROM tower_sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(deleted > 0)
}

/// Deletes every record of `user_id` but `keep`. Returns how many went.
pub async fn delete_others(db: &Db, user_id: i64, keep: &str) -> sqlx::Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM tower_sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await?
        .rows_affected()),
    )
}

/// Deletes every record of `user_id` (a password set by the operator). Returns how many went.
pub async fn delete_all(db: &Db, user_id: i64) -> sqlx::Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM tower_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected()),
    )
}
