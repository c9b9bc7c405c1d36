//! The `flash` table (migrations `0001_flash.sql`, `0013_flash_messages.sql`): each waiting
//! flash is a row of its session, deleted with it.

use super::Db;

/// A flash as stored: `(id, category, message, msg)`: `msg` is the catalogue message as JSON
/// (`None` for verbatim text), `message` the words (English for a catalogue message).
pub type Row = (i64, String, String, Option<String>);

/// A flash to store.
pub struct NewFlash<'a> {
    pub category: &'a str,
    pub message: String,
    pub msg: Option<String>,
}

/// How [`push`] went.
pub enum Pushed {
    /// The flashes are in; `dropped` of the oldest went to keep the queue at its limit.
    Stored { dropped: u64 },
    /// The session was deleted meanwhile (a log-out in another tab): nothing was stored.
    SessionGone,
}

/// Appends `flashes` to the queue of `session_id`, then drops the
/// oldest beyond `limit`.
///
/// Two statements, not one transaction: a transaction would hold SQLite's write lock across
/// two round trips to the connection's thread (SQLite) or the server (PostgreSQL) (and the task's wait for a CPU in between);
/// measured under load, that made the slowest requests wait a second. A failed trim is logged
/// and leaves the queue long until the next push trims it.
pub async fn push(
    db: &Db,
    session_id: &str,
    flashes: &[NewFlash<'_>],
    limit: u32,
) -> sqlx::Result<Pushed> {
    let inserted = on_pool!(db, pool => {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO flash (session_id, category, message, msg) ");
        insert.push_values(flashes, |mut row, flash| {
            row.push_bind(session_id)
                .push_bind(flash.category)
                .push_bind(flash.message.as_str())
                .push_bind(flash.msg.as_deref());
        });
        insert.build().execute(pool).await.map(|_| ())
    });
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(err)) if err.is_foreign_key_violation() => {
            return Ok(Pushed::SessionGone);
        }
        Err(err) => return Err(err),
    }
    let trimmed = on_pool!(db, pool => sqlx::query(
        "DELETE FROM flash WHERE session_id = $1 AND id NOT IN \
         (SELECT id FROM flash WHERE session_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(session_id)
    .bind(i64::from(limit))
    .execute(pool)
    .await
    .map(|done| done.rows_affected()));
    let dropped = match trimmed {
        Ok(dropped) => dropped,
        Err(err) => {
            tracing::warn!(error = %err, "flash queue: could not drop the oldest messages");
            0
        }
    };
    Ok(Pushed::Stored { dropped })
}

/// Whether any flash waits for `session_id` (a read: no write lock).
pub async fn any_waiting(db: &Db, session_id: &str) -> sqlx::Result<bool> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM flash WHERE session_id = $1)")
        .bind(session_id)
        .fetch_one(pool)
        .await)
}

/// Deletes the flashes of `session_id` and returns them, oldest first (one statement, so two
/// requests cannot both get one).
pub async fn take(db: &Db, session_id: &str) -> sqlx::Result<Vec<Row>> {
    let mut rows: Vec<Row> = on_pool!(db, pool =>
        sqlx::query_as("DELETE FROM flash WHERE session_id = $1 RETURNING id, category, message, msg")
            .bind(session_id)
            .fetch_all(pool)
            .await)?;
    rows.sort_by_key(|(id, ..)| *id);
    Ok(rows)
}
