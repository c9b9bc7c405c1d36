//! SQLite's WAL checkpoints, off the request path: a commit that leaves the write-ahead log at
//! [`WANTED_FRAMES`] pages or more wakes a background task ([`spawn`]) that copies the log into
//! the database file (`PRAGMA wal_checkpoint(PASSIVE)`, which neither waits for nor blocks
//! other connections' reads and writes).
//!
//! SQLite's own automatic checkpoint runs inside the commit that took the log past its 1,000
//! pages: that statement returns only after the copy and the database file's `fsync`, and the
//! request that made it waits for them (the README's Performance section has what moving it
//! bought). Should the task fall behind, or be gone (a command-line tool runs none), a commit
//! that finds the log at [`INLINE_FRAMES`] pages checkpoints itself, as SQLite would: the log
//! stays as bounded as with SQLite's own checkpoints, which a long read (a backup) holds back
//! alike. A log that such a read let grow is cut back to [`LOG_SIZE_LIMIT`] by the first write
//! after it has been copied whole (SQLite's `journal_size_limit`, set on every connection by
//! `pool::open`); without it the file would keep its largest size until the last connection
//! closes.

use std::{
    ffi::{c_char, c_int, c_void},
    time::Duration,
};

use sqlx::{SqliteConnection, SqlitePool};
use tokio::{sync::Notify, task::JoinHandle};

/// The log's size (in pages) from which a commit asks for a checkpoint: SQLite's default.
const WANTED_FRAMES: c_int = 1_000;
/// The log's size from which a commit checkpoints itself: the background task is behind.
const INLINE_FRAMES: c_int = 4_000;
/// The size in bytes the log file is cut back to when a writer starts it again from the top
/// (`PRAGMA journal_size_limit`). Four times what [`INLINE_FRAMES`] pages of 4 KiB (SQLite's
/// default page size) take, so a log kept short by the checkpoints is rarely cut (a cut is one
/// `ftruncate` in the commit that starts the log again); one a long read let grow is.
pub(super) const LOG_SIZE_LIMIT: u64 = 64 * 1024 * 1024;
/// The least time between two background checkpoints (a reader that keeps the log from being
/// copied whole would otherwise have every commit start another).
const MIN_GAP: Duration = Duration::from_millis(100);

/// Woken by a commit that wants a checkpoint. One for the process: every checkpointer looks at
/// its own pool's log when woken, which costs next to nothing when that log is short.
static WANTED: Notify = Notify::const_new();

/// Installs the commit hook on `conn` (replacing SQLite's automatic checkpoint).
pub(super) async fn install(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked for this call (no statement runs on it meanwhile); the hook
    // takes no argument, so nothing has to outlive the connection.
    unsafe {
        libsqlite3_sys::sqlite3_wal_hook(
            handle.as_raw_handle().as_ptr(),
            Some(after_commit),
            std::ptr::null_mut(),
        );
    }
    Ok(())
}

/// SQLite's WAL hook, called after each commit with the log's size in pages. Never panics (a
/// panic cannot unwind through SQLite).
unsafe extern "C" fn after_commit(
    _: *mut c_void,
    db: *mut libsqlite3_sys::sqlite3,
    name: *const c_char,
    frames: c_int,
) -> c_int {
    match wanted(frames) {
        Checkpoint::None => {}
        Checkpoint::InBackground => WANTED.notify_waiters(),
        Checkpoint::Here => {
            // SAFETY: SQLite hands the hook its own connection and the database's name, valid
            // for this call; a checkpoint from inside the hook is what SQLite's own hook does.
            // Its failure leaves the log as it is, to be copied by a later checkpoint.
            unsafe {
                libsqlite3_sys::sqlite3_wal_checkpoint_v2(
                    db,
                    name,
                    libsqlite3_sys::SQLITE_CHECKPOINT_PASSIVE,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                );
            }
        }
    }
    libsqlite3_sys::SQLITE_OK
}

/// What a commit that left the log at `frames` pages does about it.
#[derive(Debug, PartialEq, Eq)]
enum Checkpoint {
    None,
    InBackground,
    Here,
}

fn wanted(frames: c_int) -> Checkpoint {
    if frames >= INLINE_FRAMES {
        Checkpoint::Here
    } else if frames >= WANTED_FRAMES {
        Checkpoint::InBackground
    } else {
        Checkpoint::None
    }
}

/// Checkpoints `pool`'s database whenever a commit asks for it, until the task is aborted. A
/// failed checkpoint (the database unusable for now) is logged at debug level, since the
/// requests failing alongside it are reported already, and tried again at the next commit.
pub fn spawn(pool: SqlitePool) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut wanted = std::pin::pin!(WANTED.notified());
        loop {
            wanted.as_mut().await;
            // Listening again before checkpointing, so that a commit that asks meanwhile (or
            // during the pause below) is not lost: `notify_waiters` keeps no permit.
            wanted.set(WANTED.notified());
            wanted.as_mut().enable();
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::debug!(error = %err, "WAL checkpoint failed; trying again later");
            }
            tokio::time::sleep(MIN_GAP).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use sqlx::Executor;

    use super::*;
    use crate::db::{DatabaseConfig, pool};

    #[test]
    fn a_long_log_is_copied_in_the_background_and_a_very_long_one_at_once() {
        assert_eq!(wanted(0), Checkpoint::None);
        assert_eq!(wanted(WANTED_FRAMES - 1), Checkpoint::None);
        assert_eq!(wanted(WANTED_FRAMES), Checkpoint::InBackground);
        assert_eq!(wanted(INLINE_FRAMES - 1), Checkpoint::InBackground);
        assert_eq!(wanted(INLINE_FRAMES), Checkpoint::Here);
    }

    /// The app's pool (`pool::open`, so with the hook and the log's limit) over `file`.
    async fn open(file: &std::path::Path) -> SqlitePool {
        let config = DatabaseConfig {
            url: format!("sqlite://{}", file.display()),
            ..DatabaseConfig::default()
        };
        pool::open(&config).await.unwrap()
    }

    #[tokio::test]
    async fn commits_leave_the_log_to_the_task_which_copies_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        let pool = open(&file).await;
        pool.execute("CREATE TABLE t (x BLOB)").await.unwrap();
        let write = async |rows: i64| {
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
                 INSERT INTO t SELECT randomblob(3000) FROM n",
            )
            .bind(rows)
            .execute(&pool)
            .await
            .unwrap();
        };
        let size = |path: std::path::PathBuf| std::fs::metadata(path).map_or(0, |m| m.len());
        let page = 4096;
        // A row fills most of a page: 1,500 pages in commits of 50, past the 1,000 at which
        // SQLite's own hook would have copied the log into the file and started it again.
        for _ in 0..30 {
            write(50).await;
        }
        let wal = dir.path().join("app.db-wal");
        assert!(
            size(wal.clone()) > 1_400 * page,
            "the log grew: {}",
            size(wal)
        );
        assert!(
            size(file.clone()) < 100 * page,
            "nothing was copied: {}",
            size(file)
        );

        // With the task running, the next commit wakes it, and it copies the log.
        let task = spawn(pool.clone());
        tokio::task::yield_now().await;
        write(1).await;
        let mut polls = 0;
        while size(file.clone()) < 1_400 * page && polls < 500 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            polls += 1;
        }
        task.abort();
        assert!(size(file.clone()) >= 1_400 * page, "copied: {}", size(file));
    }

    #[tokio::test]
    async fn a_log_a_long_read_let_grow_is_cut_back_once_copied() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        let pool = open(&file).await;
        let limit: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(limit as u64, LOG_SIZE_LIMIT);
        pool.execute("CREATE TABLE t (x BLOB)").await.unwrap();
        let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |m| m.len());
        let wal = dir.path().join("app.db-wal");

        // A read that stays open (as a backup's does) keeps every commit after it in the log.
        let mut reader = pool.begin().await.unwrap();
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut *reader)
            .await
            .unwrap();
        let mib = 1024 * 1024;
        for _ in 0..(LOG_SIZE_LIMIT / mib + 8) {
            sqlx::query("INSERT INTO t VALUES (zeroblob(1048576))")
                .execute(&pool)
                .await
                .unwrap();
        }
        assert!(size(&wal) > LOG_SIZE_LIMIT, "the log grew: {}", size(&wal));

        // The read ends; a checkpoint copies the whole log; the next commit starts the log
        // again from the top and cuts the file back.
        reader.commit().await.unwrap();
        let (busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((busy, copied), (0, log), "the whole log copied");
        pool.execute("DELETE FROM t").await.unwrap();
        assert!(size(&wal) <= LOG_SIZE_LIMIT, "cut back: {}", size(&wal));
    }
}
