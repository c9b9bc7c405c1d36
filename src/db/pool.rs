//! The SQLite pool: opened with the settings SQLite needs under concurrent use, and keeping
//! every pooled connection clean.

use std::{path::Path, str::FromStr};

use sqlx::{
    ConnectOptions, Connection, SqliteConnection, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{DatabaseConfig, busy, checkpoint};

/// Opens the database, creating the file and its directory when missing.
///
/// WAL lets readers run beside the one writer, and the busy timeout makes a writer wait for the
/// lock instead of failing at once with "database is locked" (sqlx sets neither by default);
/// a waiting writer looks for the lock every millisecond ([`busy`]). Commits leave the copying
/// of the log into the file to a background task ([`checkpoint`]).
pub async fn open(config: &DatabaseConfig) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(&config.url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(config.busy_timeout)
        .foreign_keys(true)
        .pragma("journal_size_limit", checkpoint::LOG_SIZE_LIMIT.to_string())
        // sqlx would warn of every statement slower than a second: during an outage, each one
        // that waited out the busy timeout (the outage is logged once, see `crate::db_health`).
        .log_slow_statements(log::LevelFilter::Debug, std::time::Duration::from_secs(1));
    if let Some(dir) = Path::new(options.get_filename()).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    // Switching a new file to WAL takes a lock SQLite does not wait for (sqlx's note on
    // `journal_mode`): a second instance opening the same new file at that moment gets
    // "database is locked" at once. It tries again, for as long as a lock is waited for.
    let started = std::time::Instant::now();
    loop {
        match connect(config, options.clone()).await {
            Err(sqlx::Error::Database(err))
                if err.code().as_deref() == Some("5")
                    && started.elapsed() < config.busy_timeout =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            result => return result,
        }
    }
}

/// The pool over `options`, with the settings of [`open`].
async fn connect(
    config: &DatabaseConfig,
    options: SqliteConnectOptions,
) -> Result<SqlitePool, sqlx::Error> {
    let busy_timeout = config.busy_timeout;
    let log = checkpoint::Log::of(options.get_filename());
    SqlitePoolOptions::new()
        .max_connections(config.max_connections.get())
        // sqlx pings every connection before handing it out (a round trip to the connection's
        // worker thread): right for a network database, wasted on a local file, and measured as
        // a twentieth of the server's CPU time on a logged-in page.
        .test_before_acquire(false)
        // A request waits for a free connection no longer than for a lock: with the database
        // stuck, requests fail after `busy_timeout` (a 503) instead of queueing for sqlx's 30 s.
        .acquire_timeout(config.busy_timeout.max(MIN_ACQUIRE_WAIT))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                busy::install(conn, busy_timeout).await?;
                checkpoint::install(conn, log).await
            })
        })
        .after_release(|conn, _| Box::pin(async move { outside_transaction(conn).await }))
        .connect_with(options)
        .await
}

/// The least time a request waits for a pooled connection.
pub(super) const MIN_ACQUIRE_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether a connection coming back to the pool is outside any transaction, as it must be:
/// one still inside keeps SQLite's write lock, and every other connection's write waits for it
/// and fails with "database is locked", until the process restarts. It happens when a `COMMIT`
/// or `ROLLBACK` fails (as they do on a full disk): SQLite may have rolled back already while
/// sqlx still counts the transaction, and sqlx's next transaction on that connection is then
/// only a savepoint, whose rollback (`ROLLBACK TO`) leaves the transaction open. Such a
/// connection is closed (SQLite rolls back what is left) and the pool opens a fresh one.
///
/// sqlx's count of open transactions decides at no cost for almost every connection: it is
/// zero once a `COMMIT` or `ROLLBACK` succeeded. Otherwise (a transaction dropped without
/// either, or one that failed to end) this waits for the connection's worker to run what was
/// queued (the rollback of a dropped transaction) and asks again, and asks SQLite itself
/// (`sqlite3_get_autocommit`). Transactions go through sqlx (`pool.begin()`): a raw `BEGIN`
/// statement, which sqlx would not count, is never used. (Asking SQLite on every release
/// costs a round trip to the worker thread: measured at 6% of the logged-in page rate, 44.7%
/// against 47.3% of the control in three paired runs; the count alone costs nothing
/// measurable, 48% against 51% without any check, within the runs' spread of 43-61%.)
async fn outside_transaction(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    let autocommit = {
        let mut handle = conn.lock_handle().await?;
        // SAFETY: the handle is locked for this call (no statement runs on it meanwhile), and
        // `sqlite3_get_autocommit` only reads the connection's transaction flag.
        unsafe { libsqlite3_sys::sqlite3_get_autocommit(handle.as_raw_handle().as_ptr()) != 0 }
    };
    if autocommit && !conn.is_in_transaction() {
        // A dropped transaction, rolled back as it should be.
        return Ok(true);
    }
    if autocommit {
        // Only sqlx's count is off: expected after a failed COMMIT or ROLLBACK, which the
        // failed request has logged already.
        tracing::debug!("closing a database connection whose transaction failed to end");
    } else {
        tracing::warn!("a database connection came back inside a transaction; closing it");
    }
    Ok(false)
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::{Connection, SqliteConnection, SqlitePool};

    use super::*;

    /// The app's pool over a new file in `dir`, with one connection (so the next test step
    /// gets the connection the last one returned, if it was kept), and a table `t`.
    async fn one_connection_pool(dir: &Path) -> (SqlitePool, String) {
        let url = format!("sqlite://{}", dir.join("app.db").display());
        let config = DatabaseConfig {
            url: url.clone(),
            max_connections: std::num::NonZeroU32::MIN,
            busy_timeout: Duration::from_millis(100),
            ..DatabaseConfig::default()
        };
        let pool = open(&config).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        (pool, url)
    }

    /// Whether another connection (as another process would) can write now.
    async fn others_can_write(url: &str) -> bool {
        let options = SqliteConnectOptions::from_str(url)
            .unwrap()
            .busy_timeout(Duration::from_millis(100));
        let mut other = SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::query("INSERT INTO t VALUES (99)")
            .execute(&mut other)
            .await
            .is_ok()
    }

    async fn rows(pool: &SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT x FROM t WHERE x < 99 ORDER BY x")
            .fetch_all(pool)
            .await
            .unwrap()
    }

    /// Inserts `x` into `t` in a transaction that is dropped, neither committed nor rolled back.
    async fn insert_and_drop(pool: &SqlitePool, x: i64) {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (?)")
            .bind(x)
            .execute(&mut *tx)
            .await
            .unwrap();
        drop(tx);
    }

    #[tokio::test]
    async fn a_dropped_transaction_is_rolled_back_and_its_connection_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, url) = one_connection_pool(dir.path()).await;
        // A temporary table lives as long as its connection (the pool has one).
        sqlx::query("CREATE TEMP TABLE mine (x)")
            .execute(&pool)
            .await
            .unwrap();
        insert_and_drop(&pool, 1).await;
        assert_eq!(rows(&pool).await, Vec::<i64>::new(), "rolled back");
        assert!(others_can_write(&url).await, "the write lock is free");
        sqlx::query("SELECT * FROM mine")
            .execute(&pool)
            .await
            .expect("the connection was kept");
    }

    #[tokio::test]
    async fn a_connection_whose_commit_failed_is_not_used_again() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, url) = one_connection_pool(dir.path()).await;
        // SQLite's transaction ends under sqlx (as a disk-full COMMIT can end it): sqlx still
        // counts it, its COMMIT fails, and so does the ROLLBACK when `tx` drops.
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        assert!(tx.commit().await.is_err());

        // On that connection sqlx's next transaction would be a savepoint, and its rollback
        // (`ROLLBACK TO`) would leave SQLite's transaction open, holding the write lock.
        insert_and_drop(&pool, 1).await;
        assert_eq!(rows(&pool).await, Vec::<i64>::new(), "rolled back");
        assert!(others_can_write(&url).await, "the write lock is free");
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(rows(&pool).await, [2]);
    }
}
