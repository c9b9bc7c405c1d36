//! A consistent copy of an SQLite database while it is in use.

use super::Db;

/// Writes a copy of the SQLite database to the new file `path` (`VACUUM INTO`: one read
/// transaction, so writers carry on and the copy is the database at one moment). Fails on
/// PostgreSQL, and when `path` exists.
pub async fn vacuum_into(db: &Db, path: &str) -> sqlx::Result<()> {
    match db {
        Db::Sqlite(pool) => sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(pool)
            .await
            .map(|_| ()),
        Db::Postgres(_) => Err(sqlx::Error::Configuration(
            "VACUUM INTO is SQLite's; use pg_dump for PostgreSQL".into(),
        )),
    }
}
