//! The `readiness_probe` row (migration `0010_readiness_probe.sql`), written by the readiness
//! probe of `db_health`.

use super::Db;

/// The probe: one short write transaction that records when it ran.
///
/// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), grows the database by
/// `headroom_bytes` and gives the room back (`migrations/sqlite/0010_readiness_probe.sql`); it
/// commits, so a disk that cannot take the transaction's log fails it too. On PostgreSQL the
/// server owns its disk and its write-ahead log: a committed write is the proof.
pub async fn run(db: &Db, headroom_bytes: i64, now: i64) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query(
                "INSERT INTO readiness_probe (id, checked_at, headroom) \
                 VALUES (1, $1, zeroblob($2)) \
                 ON CONFLICT (id) DO UPDATE SET checked_at = $1, headroom = zeroblob($2)",
            )
            .bind(now)
            .bind(headroom_bytes)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE readiness_probe SET headroom = NULL WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        Db::Postgres(pool) => sqlx::query(
            "INSERT INTO readiness_probe (id, checked_at) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET checked_at = $1",
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()),
    }
}
