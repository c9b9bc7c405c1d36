//! The SQLite database: opening the pool with the settings SQLite needs under concurrent use.
//! (Start-up then applies `migrations/`, embedded at compile time by `sqlx::migrate!`.)

use std::{path::Path, str::FromStr};

use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::config::DatabaseConfig;

/// Opens the database, creating the file and its directory when missing.
///
/// WAL lets readers run beside the one writer, and the busy timeout makes a writer wait for the
/// lock instead of failing at once with "database is locked" (sqlx sets neither by default).
pub async fn open(config: &DatabaseConfig) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(&config.url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(config.busy_timeout)
        .foreign_keys(true);
    if let Some(dir) = Path::new(options.get_filename()).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(config.max_connections)
        // sqlx pings every connection before handing it out (a round trip to the connection's
        // worker thread): right for a network database, wasted on a local file, and measured as
        // a twentieth of the server's CPU time on a logged-in page.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Whether the database answers a trivial query.
pub async fn ping(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

/// Unit tests: a pool over a new SQLite file `name` in `dir`, with foreign keys on and no
/// migrations run (each test brings the schema it needs).
#[cfg(test)]
pub async fn test_pool(dir: &Path, name: &str) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(dir.join(name))
        .create_if_missing(true)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .expect("a test database")
}
