//! `flashboard events prune --older-than 90days`: deletes old entries of the auth event log
//! now (the server also does it in the background, by `auth.events_retention`).

use std::time::Duration;

use super::{OpsError, open, say};

/// The youngest events a prune may delete: the per-account log-in throttle reads the last
/// hour of failures.
const LEAST_AGE: Duration = Duration::from_secs(3600);

/// Deletes the events older than `older_than`, in short batches (safe while the server runs).
pub async fn prune_events(older_than: Duration) -> Result<(), OpsError> {
    if older_than < LEAST_AGE {
        return Err(OpsError::Refused(
            "--older-than must be at least 1h: the log-in throttle counts the last hour's failures"
                .into(),
        ));
    }
    let (config, db) = open().await?;
    let age = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    let now = config.clock.now_unix();
    let deleted = crate::auth::events::prune(&db, age, now).await?;
    db.close().await;
    let before = crate::text::iso_time(now.saturating_sub(age));
    say(format_args!(
        "{deleted} auth event(s) from before {before} deleted"
    ));
    Ok(())
}
