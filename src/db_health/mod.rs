//! Whether the database works right now, as far as the app can tell.
//!
//! [`DbHealth`] hears of every database failure the app meets ([`DbHealth::failed`]) and sorts
//! the ones that mean "the database cannot be used at the moment" ([`Unavailable`]: disk full,
//! locked by someone else for longer than `database.busy_timeout`, read-only, an I/O error, no
//! connection) from the app's own mistakes (a constraint, a bad query), which stay `500`s. The
//! first such failure is logged once at `error` with its reason, the recovery once at `info`;
//! the failed requests in between are logged at `debug`, so a broken disk does not bury the log.
//!
//! Recovery is noticed by [`DbHealth::check`], a real write (the readiness probe, at most once
//! a second): `/readyz` calls it, and so does a watcher task while the database is down, so the
//! recovery is logged even when nobody asks. Requests never wait for it: each one tries the
//! database itself, so the first request after the fault is gone succeeds.

use std::{
    error::Error as StdError,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::task::JoinHandle;

mod unavailable;

pub use self::unavailable::{Unavailable, store_error};
use crate::{clock::Clock, db::Db};

/// How long after a failure [`DbHealth::failing`] says so.
pub const RECENTLY: Duration = Duration::from_secs(5);

/// The least time between two readiness probes: more frequent checks get the last answer.
pub const PROBE_EVERY: Duration = Duration::from_secs(1);

/// The room a probe asks for (inserted and freed in its transaction): a write that cannot
/// grow the database by this much fails the probe, so readiness goes before the last small
/// writes do.
const PROBE_HEADROOM_BYTES: i64 = 64 * 1024;

/// The database's health; cheap to clone (one `Arc`).
#[derive(Clone, Debug)]
pub struct DbHealth(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    db: Db,
    clock: Clock,
    /// How many unavailability failures have been noticed since start-up.
    failures: AtomicU64,
    /// How many times the database went down since start-up (each logged once).
    outages: AtomicU64,
    state: Mutex<State>,
    /// Held while a probe runs.
    probing: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    /// Since when (Unix seconds) and why the database is down, while it is.
    down: Option<(i64, Unavailable)>,
    /// When a request or background task last failed for it (not the probe).
    failed_at: Option<i64>,
    /// When the last probe ran (Unix seconds, by the app's clock).
    probed_at: Option<i64>,
}

impl DbHealth {
    /// The health of `db`, timed by `clock`.
    pub fn new(db: Db, clock: Clock) -> Self {
        Self(Arc::new(Inner {
            db,
            clock,
            failures: AtomicU64::new(0),
            outages: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            probing: tokio::sync::Mutex::new(()),
        }))
    }

    /// Hears of a failure of `what` (say, "save the session") and logs it: at `error` when
    /// it is the app's own, at `debug` when the database is unavailable (whose start is logged
    /// once, see the module's documentation). Returns why the database is unavailable, or
    /// `None` for any other failure.
    pub fn failed(&self, what: &str, err: &(dyn StdError + 'static)) -> Option<Unavailable> {
        let reason = self.notice(err);
        match reason {
            Some(reason) => tracing::debug!(%reason, error = %err, "could not {what}"),
            None => tracing::error!(error = %err, "could not {what}"),
        }
        reason
    }

    /// Hears of a failure that the caller logs (or passes on to be logged): counts it when the
    /// database is unavailable, and logs the start of that once. Returns the reason, if any.
    pub fn notice(&self, err: &(dyn StdError + 'static)) -> Option<Unavailable> {
        let reason = Unavailable::of(err)?;
        self.0.failures.fetch_add(1, Ordering::SeqCst);
        self.lock().failed_at = Some(self.0.clock.now_unix());
        self.went_down(reason, err);
        Some(reason)
    }

    /// Notes that the database is down for `reason` (the latest, if it was down already), and
    /// logs it if it was not.
    fn went_down(&self, reason: Unavailable, err: &(dyn StdError + 'static)) {
        let first = {
            let mut state = self.lock();
            let first = state.down.is_none();
            let since = match state.down {
                Some((since, _)) => since,
                None => self.0.clock.now_unix(),
            };
            // The latest reason: the fault may change while it lasts.
            state.down = Some((since, reason));
            first
        };
        if first {
            self.0.outages.fetch_add(1, Ordering::SeqCst);
            tracing::error!(
                %reason, error = %err,
                "the database cannot be written ({reason}): writes are answered 503 and \
                 /readyz reports it until it can; the recovery will be logged"
            );
        }
    }

    /// How many unavailability failures were noticed so far: a request compares the count at
    /// its start and end to learn whether one happened while it ran (in any task).
    pub fn failures(&self) -> u64 {
        self.0.failures.load(Ordering::SeqCst)
    }

    /// How many times the database became unavailable since start-up: each time is logged
    /// once, at `error`, and its end once, at `info`.
    pub fn outages(&self) -> u64 {
        self.0.outages.load(Ordering::SeqCst)
    }

    /// Why the database is down, if a request or background task failed for it in the last
    /// [`RECENTLY`]: then writes that a request can do without are skipped rather than made to
    /// wait for it (the readiness probe alone, which asks for more room than small writes
    /// need, does not count).
    pub fn failing(&self) -> Option<Unavailable> {
        let state = self.lock();
        let recent = state
            .failed_at
            .is_some_and(|at| self.0.clock.now_unix() - at < RECENTLY.as_secs() as i64);
        state.down.filter(|_| recent).map(|(_, reason)| reason)
    }

    /// Why the database is down, if it is (as of the last failure or probe).
    pub fn down(&self) -> Option<Unavailable> {
        self.lock().down.map(|(_, reason)| reason)
    }

    /// Proves that the database can be written, at most once per [`PROBE_EVERY`] after the
    /// last probe ended: `Ok` when it can, else why not. A call while a probe runs, or before
    /// the next one is due, gets the state the last probe or failure left, at once.
    pub async fn check(&self) -> Result<(), Unavailable> {
        if let Ok(_probing) = self.0.probing.try_lock() {
            let due = self
                .lock()
                .probed_at
                .is_none_or(|at| self.0.clock.now_unix() - at >= PROBE_EVERY.as_secs() as i64);
            if due {
                let failures_before = self.failures();
                let result = crate::db::probe::run(
                    &self.0.db,
                    PROBE_HEADROOM_BYTES,
                    self.0.clock.now_unix(),
                )
                .await;
                let now = self.0.clock.now_unix();
                self.lock().probed_at = Some(now);
                match result {
                    // Not over if a request failed while the probe ran.
                    Ok(()) if self.failures() == failures_before => self.recovered(now),
                    Ok(()) => {}
                    Err(err) => {
                        // Any failure makes the instance unready, whatever its cause.
                        let reason = Unavailable::of(&err).unwrap_or(Unavailable::Broken);
                        self.went_down(reason, &err);
                        tracing::debug!(%reason, error = %err, "the readiness probe failed");
                    }
                }
            }
        }
        self.down().map_or(Ok(()), Err)
    }

    fn recovered(&self, now: i64) {
        let was_down = self.lock().down.take();
        if let Some((since, reason)) = was_down {
            tracing::info!(
                down_for_seconds = now - since,
                %reason,
                "the database works again: serving normally"
            );
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the watcher: while the database is down, it probes every `every` (real time), so
    /// that the recovery is noticed and logged even when nobody asks `/readyz`.
    pub fn spawn_watcher(&self, every: Duration) -> JoinHandle<()> {
        let health = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if health.down().is_some() {
                    let _ = health.check().await;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use tower_sessions::{session, session_store};

    use super::*;

    #[test]
    fn sqlite_codes_name_the_reason_and_other_errors_none() {
        assert_eq!(
            Unavailable::of_sqlx(&sqlx::Error::PoolTimedOut),
            Some(Unavailable::NoConnection)
        );
        assert_eq!(Unavailable::of_sqlx(&sqlx::Error::RowNotFound), None);
        // Wrapped errors are found through `source()`.
        #[derive(Debug, thiserror::Error)]
        #[error("wrapped")]
        struct Wrapped(#[source] sqlx::Error);
        let err = Wrapped(sqlx::Error::PoolTimedOut);
        assert_eq!(Unavailable::of(&err), Some(Unavailable::NoConnection));
        // The session store's string errors, as `session::SessionStore` words them (`store_error`).
        for reason in Unavailable::ALL {
            let err = session::Error::Store(session_store::Error::Backend(format!(
                "{reason}: (code: 13) the details"
            )));
            assert_eq!(Unavailable::of(&err), Some(reason));
        }
        let err = session_store::Error::Backend("constraint failed".into());
        assert_eq!(Unavailable::of(&err), None);
    }
}
