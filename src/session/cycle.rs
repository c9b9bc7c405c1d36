//! A log-in's new session id (against session fixation), without losing the flashes waiting
//! under the old one: [`cycle_id_keeping_rows`] gives the session a new id and keeps the old
//! record, [`finish_cycle`] brings the new record to life, moves the flashes to it and deletes
//! the old one, in one transaction. The store ([`super::store`]) takes part through two
//! task-local cells.

use std::cell::Cell;

use tower_sessions::{
    Session,
    session::{self, Id},
    session_store,
};

use crate::{
    db::{self, Db},
    db_health::{DbHealth, store_error},
};

tokio::task_local! {
    /// Set while [`cycle_id_keeping_rows`] cycles an id: the id whose deletion waits.
    pub(super) static CYCLING: Cell<Option<Id>>;
    /// Set while [`finish_cycle`] saves the new record: `SessionStore::create` stores it as already
    /// expired and leaves here the expiry it is to have once the move has committed.
    pub(super) static BORN_EXPIRED: Cell<Option<i64>>;
}

/// The old id of a session whose id [`cycle_id_keeping_rows`] changed; its record still exists
/// until [`finish_cycle`].
#[must_use = "the old record stays until `finish_cycle`"]
#[derive(Debug)]
pub struct Cycled(Option<Id>);

/// Gives `session` a new id (as tower-sessions' `cycle_id`, against session fixation) without
/// deleting the old record yet: [`finish_cycle`] moves what waits for the old id (its flashes)
/// to the new one and deletes the old record in one transaction. Until then, an error leaves
/// the old session as it was, flashes and all (tower-sessions' own `cycle_id` deletes the old
/// record, and the flashes with it, at once).
pub async fn cycle_id_keeping_rows(session: &Session) -> Result<Cycled, session::Error> {
    CYCLING
        .scope(Cell::new(None), async {
            session.cycle_id().await?;
            Ok(Cycled(CYCLING.with(Cell::get)))
        })
        .await
}

/// Saves `session` under its new id, then, in one transaction, moves the old record's flashes
/// to it and deletes the old record. Called after the new session holds what it should (say,
/// who logged in).
///
/// The new record is stored not yet alive (its `expiry_date` is negative: no load, device list
/// or log-in sees it) and comes to life in that same transaction: if the move fails, nothing
/// of the log-in is left but a dead row, deleted now or by the sweeper (after a minute, so that
/// it never takes one a log-in is still bringing to life), even when the database refuses both
/// the move and the clean-up (a full disk, a lock held elsewhere).
pub async fn finish_cycle(
    db: &Db,
    health: &DbHealth,
    session: &Session,
    Cycled(old): Cycled,
) -> Result<(), session::Error> {
    let Some(old) = old else {
        // Nothing to move: the new record's insert is the whole change.
        return session.save().await;
    };
    let alive_at = BORN_EXPIRED
        .scope(Cell::new(None), async {
            session.save().await?;
            Ok::<_, session::Error>(BORN_EXPIRED.with(Cell::get))
        })
        .await?;
    let (Some(new), Some(alive_at)) = (session.id(), alive_at) else {
        // tower-sessions creates the record of a cycled session on its first save.
        return Err(session::Error::Store(session_store::Error::Backend(
            "the log-in's session record was not created".into(),
        )));
    };
    // Fails with `RowNotFound` when the new record was deleted meanwhile (the user signed out
    // their other devices at that moment).
    let moved = db::sessions::bring_to_life(db, &new.to_string(), alive_at, &old.to_string()).await;
    if let Err(err) = moved {
        // The request fails and the browser keeps the old cookie; the old session stays as it
        // was. The new record, never sent and never alive, goes now or with the next sweep.
        if let Err(err) = db::sessions::delete(db, &new.to_string()).await {
            tracing::debug!(error = %err, "the unused new session record is left to the sweeper");
        }
        return Err(session::Error::Store(store_error(health.notice(&err), err)));
    }
    Ok(())
}
