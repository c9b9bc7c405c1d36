//! Waiting for SQLite's write lock: every pooled SQLite connection gets a busy handler that
//! looks again every millisecond until `database.busy_timeout`, in place of SQLite's own.
//!
//! SQLite's handler sleeps longer each time it finds the lock taken (1, 2, 5, 10, 15, 20, 25,
//! 25, 25, 50, 50, 100 ms, ...). A request whose write arrives while another writer (the
//! sweeper's batch, another request) holds the lock for a few milliseconds can lose the lock
//! to others several times and so sleep 20-50 ms past the moment the lock was free. Looking
//! every millisecond, a waiting writer takes the lock within about a millisecond of its
//! release, for the price of a lock attempt per millisecond while it waits.

use std::{
    cell::Cell,
    ffi::{c_int, c_void},
    time::{Duration, Instant},
};

use sqlx::SqliteConnection;

/// How long a waiting writer sleeps between two looks at the lock.
const POLL: Duration = Duration::from_millis(1);

/// Installs the handler on `conn`, waiting at most `timeout` for a lock (as SQLite's busy
/// timeout would, which the handler replaces).
pub(super) async fn install(
    conn: &mut SqliteConnection,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    let timeout_ms = usize::try_from(timeout.as_millis()).unwrap_or(usize::MAX);
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked for this call (no statement runs on it meanwhile). The
    // handler's argument is the timeout itself, an integer carried in the pointer (never
    // dereferenced), so nothing has to outlive the connection.
    let status = unsafe {
        libsqlite3_sys::sqlite3_busy_handler(
            handle.as_raw_handle().as_ptr(),
            Some(poll_lock),
            std::ptr::without_provenance_mut::<c_void>(timeout_ms),
        )
    };
    if status == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(format!(
            "could not install SQLite's busy handler (code {status})"
        )))
    }
}

/// How long after SQLite's last call a call with a nonzero count starts a new wait: SQLite does
/// not always reset the count between two waits (a prepare that waits after a step that
/// waited goes on counting), and measuring from the first wait's start would then give up at
/// once.
const NEW_WAIT_AFTER: Duration = Duration::from_millis(10);

thread_local! {
    /// When the current wait for a lock began, and when SQLite last called, on this thread.
    /// sqlx runs each SQLite connection's statements on a worker thread of its own, so this is
    /// the connection's.
    static WAIT: Cell<Option<(Instant, Instant)>> = const { Cell::new(None) };
}

/// SQLite's busy handler: `count` is how many times it was called for the lock the statement
/// waits for (0 on the first). Sleeps [`POLL`] and returns 1 (look again), or returns 0 (give
/// up: the statement fails with `SQLITE_BUSY`, "database is locked") once the wait has lasted
/// the timeout. Never panics (a panic cannot unwind through SQLite).
unsafe extern "C" fn poll_lock(timeout_ms: *mut c_void, count: c_int) -> c_int {
    let now = Instant::now();
    let since = WAIT.with(|wait| {
        let since = match wait.get() {
            Some((since, last))
                if count > 0 && now.saturating_duration_since(last) < NEW_WAIT_AFTER =>
            {
                since
            }
            _ => now,
        };
        wait.set(Some((since, now)));
        since
    });
    let timeout = Duration::from_millis(u64::try_from(timeout_ms.addr()).unwrap_or(u64::MAX));
    if keep_waiting(now.saturating_duration_since(since), timeout) {
        std::thread::sleep(POLL);
        1
    } else {
        0
    }
}

/// Whether a writer that has waited `waited` for the lock looks again.
fn keep_waiting(waited: Duration, timeout: Duration) -> bool {
    waited < timeout
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use sqlx::{Connection, Executor, sqlite::SqliteConnectOptions};

    use super::*;
    use crate::db::{DatabaseConfig, pool};

    #[test]
    fn waits_until_the_timeout_and_no_longer() {
        let timeout = Duration::from_millis(100);
        assert!(keep_waiting(Duration::ZERO, timeout));
        assert!(keep_waiting(Duration::from_millis(99), timeout));
        assert!(!keep_waiting(timeout, timeout));
        assert!(!keep_waiting(Duration::from_secs(5), timeout));
        assert!(
            !keep_waiting(Duration::ZERO, Duration::ZERO),
            "a zero timeout never waits"
        );
    }

    /// The app's pool over a new file, with the busy timeout `timeout`, and another
    /// connection (as another process would have) holding the write lock.
    async fn locked_pool(
        dir: &std::path::Path,
        timeout: Duration,
    ) -> (sqlx::SqlitePool, SqliteConnection) {
        let url = format!("sqlite://{}", dir.join("app.db").display());
        let config = DatabaseConfig {
            url: url.clone(),
            busy_timeout: timeout,
            ..DatabaseConfig::default()
        };
        let pool = pool::open(&config).await.unwrap();
        pool.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        let mut other =
            SqliteConnection::connect_with(&SqliteConnectOptions::from_str(&url).unwrap())
                .await
                .unwrap();
        other.execute("BEGIN IMMEDIATE").await.unwrap();
        (pool, other)
    }

    /// Calls the handler as SQLite would.
    fn poll(timeout_ms: usize, count: c_int) -> c_int {
        // SAFETY: the handler never dereferences its argument.
        unsafe { poll_lock(std::ptr::without_provenance_mut(timeout_ms), count) }
    }

    #[test]
    fn the_handler_looks_again_until_the_timeout() {
        assert_eq!(poll(0, 0), 0, "a zero timeout gives up at once");
        assert_eq!(poll(60_000, 0), 1);
        assert_eq!(poll(60_000, 1), 1);
        // A wait whose count SQLite did not reset, long after the last call: a new wait, not
        // one that has lasted since the first call.
        WAIT.with(|wait| {
            let long_ago = Instant::now() - Duration::from_secs(120);
            wait.set(Some((long_ago, long_ago)));
        });
        assert_eq!(poll(60_000, 7), 1, "measured from now");
        // Within a wait, the time counts from its start.
        WAIT.with(|wait| {
            let long_ago = Instant::now() - Duration::from_secs(120);
            wait.set(Some((long_ago, Instant::now())));
        });
        assert_eq!(poll(60_000, 8), 0, "two minutes have passed");
    }

    #[tokio::test]
    async fn the_handler_replaces_sqlx_s_busy_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, _holder) = locked_pool(dir.path(), Duration::from_secs(5)).await;
        // `sqlite3_busy_handler` clears the timeout sqlx set (5 s), which SQLite's own handler
        // would have used: the connection now waits with `poll_lock`.
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(timeout, 0);
    }

    #[tokio::test]
    async fn a_write_gives_up_after_the_busy_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let timeout = Duration::from_millis(100);
        let (pool, _holder) = locked_pool(dir.path(), timeout).await;
        let started = Instant::now();
        let err = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&pool)
            .await
            .expect_err("the lock stays taken");
        assert!(err.to_string().contains("database is locked"), "{err}");
        assert!(
            started.elapsed() >= timeout,
            "waited the whole timeout first"
        );
    }

    #[tokio::test]
    async fn a_waiting_write_goes_through_once_the_lock_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, mut holder) = locked_pool(dir.path(), Duration::from_secs(30)).await;
        let write = tokio::spawn({
            let pool = pool.clone();
            async move { sqlx::query("INSERT INTO t VALUES (1)").execute(&pool).await }
        });
        holder.execute("INSERT INTO t VALUES (2)").await.unwrap();
        tokio::task::yield_now().await;
        holder.execute("COMMIT").await.unwrap();
        write
            .await
            .unwrap()
            .expect("written once the lock was free");
        let rows: Vec<i64> = sqlx::query_scalar("SELECT x FROM t ORDER BY x")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(rows, [1, 2]);
    }
}
