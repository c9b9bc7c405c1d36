//! SQLite's WAL checkpoints, off the request path: a commit that leaves [`WANTED_FRAMES`] pages
//! or more of the write-ahead log still to copy wakes a background task ([`spawn`]) that copies
//! the log into the database file (`PRAGMA wal_checkpoint(PASSIVE)`, which neither waits for
//! nor blocks other connections' reads and writes).
//!
//! SQLite's own automatic checkpoint runs inside the commit that took the log past its 1,000
//! pages: that statement returns only after the copy and the database file's `fsync`, and the
//! request that made it waits for them (the README's Performance section has what moving it
//! bought). Should the task fall behind, or be gone (a command-line tool runs none), a commit
//! that leaves [`INLINE_FRAMES`] pages still to copy checkpoints itself, as SQLite would: the
//! log stays as bounded as with SQLite's own checkpoints, which a long read (a backup) holds
//! back alike. A log that such a read let grow is cut back to [`LOG_SIZE_LIMIT`] by the first
//! write after it has been copied whole (SQLite's `journal_size_limit`, set on every connection
//! by `pool::open`); without it the file would keep its largest size until the last connection
//! closes.
//!
//! SQLite tells a commit the log's whole size, not the part still to copy: a log that has been
//! copied starts again from the top only when no read still uses it, so under a steady stream of
//! reads (a sweep of expired sessions beside the page views) it stays long after the copies. The
//! part still to copy is therefore reckoned from what the last checkpoint reported ([`Log`]):
//! deciding on the size alone had every commit checkpoint inline once the log passed
//! [`INLINE_FRAMES`] pages, 7,485 times in one sweep, each paid by a request.

use std::{
    collections::HashMap,
    ffi::{c_char, c_int, c_void},
    path::{Path, PathBuf},
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sqlx::{SqliteConnection, SqlitePool};
use tokio::{sync::Notify, task::JoinHandle};

/// The pages still to copy from which a commit asks for a checkpoint: SQLite's default.
const WANTED_FRAMES: u32 = 1_000;
/// The pages still to copy from which a commit checkpoints itself: the background task is
/// behind.
const INLINE_FRAMES: u32 = 4_000;
/// The size in bytes the log file is cut back to when a writer starts it again from the top
/// (`PRAGMA journal_size_limit`). Four times what [`INLINE_FRAMES`] pages of 4 KiB (SQLite's
/// default page size) take, so a log kept short by the checkpoints is rarely cut (a cut is one
/// `ftruncate` in the commit that starts the log again); one a long read let grow is.
pub(super) const LOG_SIZE_LIMIT: u64 = 64 * 1024 * 1024;
/// The least time between two background checkpoints (a reader that keeps the log from being
/// copied whole would otherwise have every commit start another).
const MIN_GAP: Duration = Duration::from_millis(100);

/// One database file's log, as its commits and its checkpointer see it. Shared by every pool
/// opened on the file (by its name as the URL gives it) in this process, and kept for the
/// process's life: SQLite holds a pointer to it in each connection's hook.
pub(super) struct Log {
    /// Woken by a commit that wants a checkpoint.
    wanted: Notify,
    /// What the last checkpoint reported: the log's size in pages (high half) and how many of
    /// them had been copied (low half).
    last: AtomicU64,
    /// How many commits checkpointed the log themselves (tests count them).
    inline: AtomicU64,
}

impl Log {
    /// The log of the database file `file` (created at its first use).
    pub(super) fn of(file: &Path) -> &'static Log {
        static LOGS: Mutex<Option<HashMap<PathBuf, &'static Log>>> = Mutex::new(None);
        let mut logs = LOGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        logs.get_or_insert_default()
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                Box::leak(Box::new(Log {
                    wanted: Notify::new(),
                    last: AtomicU64::new(0),
                    inline: AtomicU64::new(0),
                }))
            })
    }

    /// Records a checkpoint's report: the log's size and the pages copied (SQLite's `pnLog` and
    /// `pnCkpt`, negative when the database is not in WAL mode).
    fn copied(&self, size: i64, copied: i64) {
        if let (Ok(size), Ok(copied)) = (u32::try_from(size), u32::try_from(copied)) {
            self.last
                .store(u64::from(size) << 32 | u64::from(copied), Ordering::Relaxed);
        }
    }

    /// How many commits have checkpointed the log themselves so far (the background task was
    /// behind, or gone).
    pub(super) fn inline_checkpoints(&self) -> u64 {
        self.inline.load(Ordering::Relaxed)
    }

    /// What a commit that left the log at `frames` pages does about it.
    fn wanted(&self, frames: u32) -> Checkpoint {
        let last = self.last.load(Ordering::Relaxed);
        wanted(to_copy(frames, (last >> 32) as u32, last as u32))
    }
}

/// Installs the commit hook on `conn` (replacing SQLite's automatic checkpoint).
pub(super) async fn install(
    conn: &mut SqliteConnection,
    log: &'static Log,
) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked for this call (no statement runs on it meanwhile); the
    // hook's argument is a `&'static Log`, valid for as long as the connection.
    unsafe {
        libsqlite3_sys::sqlite3_wal_hook(
            handle.as_raw_handle().as_ptr(),
            Some(after_commit),
            std::ptr::from_ref(log).cast_mut().cast(),
        );
    }
    Ok(())
}

/// SQLite's WAL hook, called after each commit with the log's size in pages. Never panics (a
/// panic cannot unwind through SQLite).
unsafe extern "C" fn after_commit(
    log: *mut c_void,
    db: *mut libsqlite3_sys::sqlite3,
    name: *const c_char,
    frames: c_int,
) -> c_int {
    // SAFETY: `install` passed a `&'static Log`.
    let log = unsafe { &*log.cast_const().cast::<Log>() };
    match log.wanted(u32::try_from(frames).unwrap_or(0)) {
        Checkpoint::None => {}
        Checkpoint::InBackground => log.wanted.notify_waiters(),
        Checkpoint::Here => {
            let (mut size, mut copied): (c_int, c_int) = (-1, -1);
            // SAFETY: SQLite hands the hook its own connection and the database's name, valid
            // for this call; a checkpoint from inside the hook is what SQLite's own hook does.
            // Its failure leaves the log as it is, to be copied by a later checkpoint.
            let done = unsafe {
                libsqlite3_sys::sqlite3_wal_checkpoint_v2(
                    db,
                    name,
                    libsqlite3_sys::SQLITE_CHECKPOINT_PASSIVE,
                    &raw mut size,
                    &raw mut copied,
                )
            };
            if done == libsqlite3_sys::SQLITE_OK {
                log.inline.fetch_add(1, Ordering::Relaxed);
                log.copied(size.into(), copied.into());
            }
        }
    }
    libsqlite3_sys::SQLITE_OK
}

/// What a commit does about the log.
#[derive(Debug, PartialEq, Eq)]
enum Checkpoint {
    None,
    InBackground,
    Here,
}

fn wanted(to_copy: u32) -> Checkpoint {
    if to_copy >= INLINE_FRAMES {
        Checkpoint::Here
    } else if to_copy >= WANTED_FRAMES {
        Checkpoint::InBackground
    } else {
        Checkpoint::None
    }
}

/// The pages of a log of `frames` pages still to copy, given that the last checkpoint found the
/// log at `size` pages and had copied `copied` of them. A log shorter than then has started again
/// from the top since, and none of it is copied. A longer one may have too, after a restart no
/// checkpoint saw: this then counts at most `copied` pages short, until the next checkpoint
/// reports (one was asked for on the way, when the new log passed [`WANTED_FRAMES`] pages).
fn to_copy(frames: u32, size: u32, copied: u32) -> u32 {
    if frames < size {
        frames
    } else {
        frames - copied.min(size)
    }
}

/// Checkpoints `pool`'s database whenever a commit asks for it, until the task is aborted. A
/// failed checkpoint (the database unusable for now) is logged at debug level, since the
/// requests failing alongside it are reported already, and tried again at the next commit.
pub fn spawn(pool: SqlitePool) -> JoinHandle<()> {
    let log = Log::of(pool.connect_options().get_filename());
    tokio::spawn(async move {
        let mut wanted = std::pin::pin!(log.wanted.notified());
        loop {
            wanted.as_mut().await;
            // Listening again before checkpointing, so that a commit that asks meanwhile (or
            // during the pause below) is not lost: `notify_waiters` keeps no permit.
            wanted.set(log.wanted.notified());
            wanted.as_mut().enable();
            if let Err(err) = checkpoint(&pool, log).await {
                tracing::debug!(error = %err, "WAL checkpoint failed; trying again later");
            }
            tokio::time::sleep(MIN_GAP).await;
        }
    })
}

/// Copies what it can of `pool`'s log into the database file, without waiting for or blocking
/// anyone, and records what it did in `log`.
async fn checkpoint(pool: &SqlitePool, log: &Log) -> Result<(), sqlx::Error> {
    let (_busy, size, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    log.copied(size, copied);
    Ok(())
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

    #[test]
    fn what_is_left_to_copy_is_reckoned_from_the_last_checkpoint() {
        // No checkpoint yet: the whole log.
        assert_eq!(to_copy(4_500, 0, 0), 4_500);
        // The log kept growing after a checkpoint copied 5,000 of its 5,200 pages.
        assert_eq!(to_copy(6_000, 5_200, 5_000), 1_000);
        // Shorter than the checkpoint saw it: started again from the top since.
        assert_eq!(to_copy(300, 5_200, 5_000), 300);
        // A checkpoint that copied nothing (a read held the log back) leaves it all to copy.
        assert_eq!(to_copy(6_000, 5_200, 0), 6_000);
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

    /// Writes `pages` pages into `t`, one commit per 50.
    async fn write_pages(pool: &SqlitePool, pages: u32) {
        for _ in 0..pages / 50 {
            // A row of 3,000 bytes fills most of a page.
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) \
                 INSERT INTO t SELECT randomblob(3000) FROM n",
            )
            .execute(pool)
            .await
            .unwrap();
        }
    }

    #[tokio::test]
    async fn a_copied_log_that_reads_keep_long_is_not_checkpointed_by_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.db");
        let pool = open(&file).await;
        let log = Log::of(&file);
        pool.execute("CREATE TABLE t (x BLOB)").await.unwrap();
        // Short of the inline checkpoint's threshold; then a read starts (as page views do all
        // the time), and the background checkpoint copies the whole log. The read keeps the
        // log from starting again from the top.
        write_pages(&pool, INLINE_FRAMES - 500).await;
        assert_eq!(log.inline.load(Ordering::Relaxed), 0);
        let mut reader = pool.begin().await.unwrap();
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&mut *reader)
            .await
            .unwrap();
        checkpoint(&pool, log).await.unwrap();
        let last = log.last.load(Ordering::Relaxed);
        assert_eq!(
            last >> 32,
            last & u64::from(u32::MAX),
            "all copied: {last:x}"
        );

        // The log grows past the threshold, with little of it left to copy: no commit pays
        // for a checkpoint (each of them did when the log's size decided).
        write_pages(&pool, WANTED_FRAMES + 500).await;
        assert_eq!(log.inline.load(Ordering::Relaxed), 0);

        // The read ends. With no background checkpoint, the commit that leaves the threshold's
        // worth to copy copies it all itself, and the log starts again from the top.
        reader.commit().await.unwrap();
        write_pages(&pool, INLINE_FRAMES).await;
        assert_eq!(log.inline.load(Ordering::Relaxed), 1);
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
