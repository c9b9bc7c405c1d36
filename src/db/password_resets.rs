//! The `password_resets` table: the hashes of the reset links sent and not yet used.

use super::Db;

/// Stores a link's token hash for `user_id`, valid until `expires_at` (Unix seconds), in
/// place of the user's earlier links: in one transaction, so that of two links asked for at
/// once, one is left. (On PostgreSQL the user's row is locked first, which puts two such
/// transactions one after the other; SQLite has one writer anyway.)
pub async fn replace(db: &Db, token_hash: &str, user_id: i64, expires_at: i64) -> sqlx::Result<()> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if let Db::Postgres(_) = db {
            sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    })
}

/// The user of the link `token_hash`, if it is there and live at `now` (it stays there).
pub async fn peek(db: &Db, token_hash: &str, now: i64) -> sqlx::Result<Option<i64>> {
    on_pool!(db, pool => sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await)
}

/// Deletes the links expired at `now`. Returns how many went.
pub async fn prune(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()),
    )
}
