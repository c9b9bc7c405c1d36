//! Applying the migrations of the backend in use (`migrations/sqlite`, `migrations/postgres`),
//! safely when several instances start against one database at the same moment.
//!
//! - PostgreSQL: sqlx's migrator holds an advisory lock while it migrates, so the second
//!   instance waits, then finds everything applied. It runs on a connection of its own without
//!   the pool's `statement_timeout` and `lock_timeout` (meant for requests): waiting for another
//!   instance's migration, or building an index on a large table, may take longer.
//! - SQLite: sqlx's migrator takes no lock (each migration is its own transaction, so two
//!   processes could both see a migration missing and the second would fail on the first's
//!   tables). Here the whole run holds an exclusive lock on a file beside the database
//!   (`<file>.migrate-lock`, `flock`: released by the system if the process dies), so the second
//!   waits in the same way. An in-memory database has no neighbours and needs none.

use std::{fs::File, path::PathBuf};

use sqlx::migrate::{MigrateError, Migrator};

use super::Db;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Applies the migrations that have not run.
pub async fn run(db: &Db, url: &str) -> Result<(), MigrateError> {
    match db {
        Db::Postgres(pool) => {
            use sqlx::Connection;
            let options = (*pool.connect_options())
                .clone()
                .options([("statement_timeout", "0"), ("lock_timeout", "0")]);
            let mut conn = sqlx::PgConnection::connect_with(&options).await?;
            let ran = POSTGRES.run(&mut conn).await;
            let _ = conn.close().await;
            ran
        }
        Db::Sqlite(pool) => {
            let options = pool.connect_options();
            let _lock = match lock_path(options.get_filename(), url) {
                Some(path) => Some(lock(path).await?),
                None => None,
            };
            SQLITE.run(pool).await
        }
    }
}

/// The versions of the backend's migrations that `_sqlx_migrations` does not record as applied.
pub async fn pending(db: &Db) -> sqlx::Result<Vec<i64>> {
    const APPLIED: &str = "SELECT version FROM _sqlx_migrations WHERE success";
    let (migrator, applied): (&Migrator, Vec<i64>) = match db {
        Db::Sqlite(pool) => (&SQLITE, sqlx::query_scalar(APPLIED).fetch_all(pool).await?),
        Db::Postgres(pool) => (
            &POSTGRES,
            sqlx::query_scalar(APPLIED).fetch_all(pool).await?,
        ),
    };
    Ok(migrator
        .iter()
        .filter(|migration| migration.migration_type.is_up_migration())
        .map(|migration| migration.version)
        .filter(|version| !applied.contains(version))
        .collect())
}

/// The lock file of the database file `db_file` that `url` opened; none for an in-memory
/// database (`sqlite::memory:`, or `mode=memory`: sqlx names those files itself).
fn lock_path(db_file: &std::path::Path, url: &str) -> Option<PathBuf> {
    let name = db_file.to_str()?;
    let query = url.split_once('?').map_or("", |(_, query)| query);
    if name.is_empty()
        || url.contains(":memory:")
        || query.split('&').any(|pair| pair == "mode=memory")
    {
        return None;
    }
    let mut path = db_file.as_os_str().to_owned();
    path.push(".migrate-lock");
    Some(PathBuf::from(path))
}

/// Waits for the exclusive lock on `path` (created when missing); held until dropped.
async fn lock(path: PathBuf) -> Result<File, MigrateError> {
    tokio::task::spawn_blocking(move || {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|err| MigrateError::Execute(sqlx::Error::Io(std::io::Error::other(err))))?
    .map_err(|err| MigrateError::Execute(sqlx::Error::Io(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_sits_beside_the_file_and_memory_needs_none() {
        assert_eq!(
            lock_path("data/app.db".as_ref(), "sqlite://data/app.db"),
            Some(PathBuf::from("data/app.db.migrate-lock"))
        );
        // What sqlx makes of in-memory URLs.
        for url in ["sqlite::memory:", "sqlite://x.db?mode=memory"] {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
            assert_eq!(lock_path(options.get_filename(), url), None, "{url}");
        }
    }

    /// Two "instances" (two pools on one new file) migrate at once: both succeed, and each
    /// migration is recorded once.
    #[tokio::test]
    async fn two_instances_migrating_at_once_both_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let config = super::super::DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("app.db").display()),
            ..Default::default()
        };
        let (a, b) = tokio::join!(Db::open(&config), Db::open(&config));
        let (a, b) = (a.unwrap(), b.unwrap());
        let (ran_a, ran_b) = tokio::join!(a.migrate(), b.migrate());
        ran_a.unwrap();
        ran_b.unwrap();
        let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(a.sqlite_pool().unwrap())
            .await
            .unwrap();
        assert_eq!(recorded as usize, SQLITE.migrations.len());
    }
}
