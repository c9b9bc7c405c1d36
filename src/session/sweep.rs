//! Deleting expired session records: a batch at a time, so that a million of them never hold
//! SQLite's write lock for long, by a task that runs every `session.sweep_interval`.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::store::{SessionStore, not_alive_since};
use crate::db;

/// How long the sweeper leaves a record that is not yet alive (see [`finish_cycle`](super::cycle::finish_cycle)).
pub(super) const UNBORN_GRACE_SECONDS: i64 = 60;

/// Expired rows deleted per transaction by [`SessionStore::sweep`].
const SWEEP_BATCH: i64 = 100;
/// The least pause between two sweep batches, so that writers waiting for the lock get it.
const SWEEP_MIN_PAUSE: Duration = Duration::from_millis(10);

impl SessionStore {
    /// Deletes every expired record (with its flashes and device row, by foreign key), a batch
    /// at a time. Each batch is one short write transaction (a few milliseconds); between
    /// batches the sweeper waits three times as long as the batch took, so it holds SQLite's
    /// write lock at most a quarter of the time and a writer waiting for the lock gets it after
    /// the batch in progress. Returns how many went.
    ///
    /// Measured (`BENCH_LARGE=1 cargo bench --bench http`, the README's Performance section): a
    /// million expired rows in about two minutes while traffic runs; the longest request 35-50
    /// ms against 8-11 ms with the sweeper idle. A writer that finds a batch holding the lock
    /// takes it within about a millisecond of the batch's end (`db::busy`).
    ///
    /// A failed batch is rolled back whole (the batches before it stay done), told to the
    /// database's health and logged; the next sweep carries on.
    pub async fn sweep(&self) -> Result<u64, sqlx::Error> {
        self.sweep_batches().await.inspect_err(|err| {
            self.health
                .failed("delete expired sessions (retrying next time)", err);
        })
    }

    async fn sweep_batches(&self) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        loop {
            let started = Instant::now();
            // A record not yet alive (see `cycle::finish_cycle`) is left for a minute: its log-in may
            // still be bringing it to life.
            let now = self.lifetimes.now_unix();
            let unborn_after = not_alive_since(now - UNBORN_GRACE_SECONDS);
            let batch = db::sessions::sweep_batch(&self.db, now, unborn_after, SWEEP_BATCH).await?;
            deleted += batch;
            if batch < SWEEP_BATCH as u64 {
                return Ok(deleted);
            }
            tokio::time::sleep((started.elapsed() * 3).max(SWEEP_MIN_PAUSE)).await;
        }
    }
}

/// Deletes expired session records every `every` (see [`SessionStore::sweep`]), until the task is
/// aborted.
///
/// Unlike tower-sessions' `continuously_delete_expired`, a failed sweep (say, the database was
/// busy for longer than the busy timeout) is logged and retried next time instead of ending
/// the task for good.
pub fn spawn_sweeper(store: SessionStore, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await; // The first tick is immediate; start-up has nothing to sweep yet.
        loop {
            interval.tick().await;
            match store.sweep().await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "expired sessions deleted"),
                Err(_) => {} // Told to the database's health and logged by `sweep`.
            }
        }
    })
}
