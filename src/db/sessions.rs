//! The `tower_sessions` table (migrations `0000_sessions.sql`, `0006_session_devices.sql` and
//! later): one row per session record, with its encoded data, its expiry in Unix seconds (an
//! indexed integer), a version counted up by every write, and the device columns that say who
//! is logged in to it. Every write is one statement (atomic by itself, holding SQLite's write
//! lock only while SQLite runs it), but for [`bring_to_life`], one short transaction.

use super::Db;

/// What a record's row says about its device: set while someone is logged in to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceColumns {
    pub user_id: Option<i64>,
    pub started_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub remembered: bool,
    pub user_agent: Option<String>,
}

/// A record to write.
pub struct Row<'a> {
    pub id: &'a str,
    /// The encoded record.
    pub data: &'a [u8],
    /// Unix seconds; negative for a record not yet alive (see [`bring_to_life`]).
    pub expiry: i64,
    pub device: &'a DeviceColumns,
}

/// A live record as loaded, with what a page asks next.
pub struct Loaded {
    pub data: Vec<u8>,
    pub version: i64,
    /// Whether any flash waits for the session.
    pub flash_waiting: bool,
    /// The logged-in user's id and name (the user still exists).
    pub user: Option<(i64, String)>,
}

/// The data of the record `id` if it is live at `now`.
pub async fn load(db: &Db, id: &str, now: i64) -> sqlx::Result<Option<Vec<u8>>> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT data FROM tower_sessions WHERE id = $1 AND expiry_date > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await)
}

/// The record `id` if it is live at `now`, with whether flashes wait and who its user is, in
/// one statement.
pub async fn load_with_facts(db: &Db, id: &str, now: i64) -> sqlx::Result<Option<Loaded>> {
    type Fetched = (Vec<u8>, i64, bool, Option<i64>, Option<String>);
    let row: Option<Fetched> = on_pool!(db, pool => sqlx::query_as(
        "SELECT s.data, s.version, EXISTS (SELECT 1 FROM flash WHERE flash.session_id = s.id), \
           u.id, u.username \
         FROM tower_sessions s LEFT JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.expiry_date > $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(pool)
    .await)?;
    Ok(
        row.map(|(data, version, flash_waiting, user_id, username)| Loaded {
            data,
            version,
            flash_waiting,
            user: user_id.zip(username),
        }),
    )
}

/// The data and version of the record `id`, live or not (to merge a save into).
pub async fn load_version(db: &Db, id: &str) -> sqlx::Result<Option<(Vec<u8>, i64)>> {
    on_pool!(db, pool => sqlx::query_as("SELECT data, version FROM tower_sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Binds `row` to `$query` as `$1` to `$8`: data, expiry, the five device columns, id.
macro_rules! bind_row {
    ($query:expr, $row:expr) => {{
        let row: &Row<'_> = $row;
        let device = row.device;
        $query
            .bind(row.data)
            .bind(row.expiry)
            .bind(device.user_id)
            .bind(device.started_at)
            .bind(device.last_seen)
            .bind(device.remembered)
            .bind(device.user_agent.as_deref())
            .bind(row.id)
    }};
}

/// Writes `row` over its record if the record is still `version` (any version when `None`),
/// counting the version up. Whether it wrote: `false` when the row is newer, or gone (an
/// update never inserts: a deleted session stays deleted).
pub async fn update(db: &Db, row: &Row<'_>, version: Option<i64>) -> sqlx::Result<bool> {
    const UPDATE: &str = "UPDATE tower_sessions SET data = $1, expiry_date = $2, user_id = $3, \
                            started_at = $4, last_seen = $5, remembered = $6, user_agent = $7, \
                            version = version + 1 \
                          WHERE id = $8 AND ($9 IS NULL OR version = $9)";
    let updated = on_pool!(db, pool => bind_row!(sqlx::query(UPDATE), row)
        .bind(version)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(updated == 1)
}

/// Inserts `row` as a new record; `false` when its id is taken.
pub async fn insert(db: &Db, row: &Row<'_>) -> sqlx::Result<bool> {
    const INSERT: &str = "INSERT INTO tower_sessions (data, expiry_date, user_id, started_at, \
                            last_seen, remembered, user_agent, id) \
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING";
    let inserted = on_pool!(db, pool => bind_row!(sqlx::query(INSERT), row)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(inserted == 1)
}

/// Deletes the record `id` (its flashes go with it, by foreign key).
pub async fn delete(db: &Db, id: &str) -> sqlx::Result<()> {
    on_pool!(db, pool => sqlx::query("DELETE FROM tower_sessions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// The rows of one sweep batch: expired by `$1` (now), not those not yet alive since after `$2`,
/// at most `$3`. (SQLite's `rowid` is the table's own key: deleting by it needs no lookup in
/// the index of the text ids.)
const SWEEP_SELECT: &str = "SELECT rowid FROM tower_sessions WHERE expiry_date <= $1 \
                                AND (expiry_date >= 0 OR expiry_date > $2) LIMIT $3";
const SWEEP_SELECT_PG: &str = "SELECT id FROM tower_sessions WHERE expiry_date <= $1 \
                                AND (expiry_date >= 0 OR expiry_date > $2) LIMIT $3";

/// Deletes at most `limit` records expired at `now`, leaving those not yet alive whose
/// (negative) expiry is above `unborn_after`. Returns how many went.
pub async fn sweep_batch(db: &Db, now: i64, unborn_after: i64, limit: i64) -> sqlx::Result<u64> {
    let sql = match db {
        Db::Sqlite(_) => format!("DELETE FROM tower_sessions WHERE rowid IN ({SWEEP_SELECT})"),
        Db::Postgres(_) => format!("DELETE FROM tower_sessions WHERE id IN ({SWEEP_SELECT_PG})"),
    };
    Ok(on_pool!(db, pool => sqlx::query(&sql)
        .bind(now)
        .bind(unborn_after)
        .bind(limit)
        .execute(pool)
        .await?
        .rows_affected()))
}

/// In one transaction: gives the record `new` (stored not yet alive) its expiry `alive_at`,
/// moves the flashes of `old` to it, and deletes `old`. Fails with `RowNotFound` when `new`
/// was deleted meanwhile.
///
/// On PostgreSQL the transaction first locks `old`'s row: a flash pushed to `old` by another
/// connection meanwhile then waits for the end and finds its session gone (told, as on SQLite,
/// where the one writer cannot interleave), instead of landing between the move and the
/// delete and going with `old`.
pub async fn bring_to_life(db: &Db, new: &str, alive_at: i64, old: &str) -> sqlx::Result<()> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if let Db::Postgres(_) = db {
            sqlx::query("SELECT 1 FROM tower_sessions WHERE id = $1 FOR UPDATE")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        let alive = sqlx::query("UPDATE tower_sessions SET expiry_date = $1 WHERE id = $2")
            .bind(alive_at)
            .bind(new)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if alive != 1 {
            return Err(sqlx::Error::RowNotFound);
        }
        sqlx::query("UPDATE flash SET session_id = $1 WHERE session_id = $2")
            .bind(new)
            .bind(old)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tower_sessions WHERE id = $1")
            .bind(old)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sweep_finds_expired_rows_through_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::from_sqlite(crate::db::test_pool(dir.path(), "sessions.db").await);
        db.migrate().await.unwrap();
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {SWEEP_SELECT}"))
                .bind(0)
                .bind(-100)
                .bind(500)
                .fetch_all(db.sqlite_pool().unwrap())
                .await
                .unwrap();
        let plan: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
        assert!(
            plan.iter()
                .any(|step| step.contains("tower_sessions_expiry")),
            "{plan:?}"
        );
    }
}

/// A live session record as the operator's `flashboard sessions list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Live {
    pub id: String,
    /// The logged-in user's name; `None` for a visitor's session.
    pub username: Option<String>,
    pub started_at: Option<i64>,
    pub last_seen: Option<i64>,
    pub expiry_date: i64,
    pub remembered: bool,
    pub user_agent: Option<String>,
}

/// The records live at `now` (of the user `user_id` only, when given), most recently used
/// first, at most `limit`; and how many there are in all.
pub async fn list_live(
    db: &Db,
    now: i64,
    user_id: Option<i64>,
    limit: i64,
) -> sqlx::Result<(Vec<Live>, i64)> {
    const WHERE: &str = "WHERE s.expiry_date > $1 AND ($2 IS NULL OR s.user_id = $2)";
    let list = format!(
        "SELECT s.id, u.username, s.started_at, s.last_seen, s.expiry_date, s.remembered, \
                s.user_agent \
         FROM tower_sessions s LEFT JOIN users u ON u.id = s.user_id {WHERE} \
         ORDER BY s.last_seen DESC NULLS LAST, s.expiry_date DESC LIMIT $3"
    );
    let count = format!("SELECT count(*) FROM tower_sessions s {WHERE}");
    on_pool!(db, pool => {
        let rows = sqlx::query_as(&list)
            .bind(now)
            .bind(user_id)
            .bind(limit)
            .fetch_all(pool)
            .await?;
        let total = sqlx::query_scalar(&count)
            .bind(now)
            .bind(user_id)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

/// How many records are live at `now`.
pub async fn count_live(db: &Db, now: i64) -> sqlx::Result<i64> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT count(*) FROM tower_sessions WHERE expiry_date > $1")
        .bind(now)
        .fetch_one(pool)
        .await)
}
