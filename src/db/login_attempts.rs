//! The `login_attempts` table (migrations `0012_login_attempts.sql`): log-in attempts being
//! evaluated, each claimed in the same locked step as the read of the failures it is checked
//! against, so that every instance on the database sees the others' attempts.

use super::Db;

/// Whose recorded failures an attempt is checked against.
#[derive(Clone, Copy, Debug)]
pub enum Failures<'a> {
    /// The account's (`username_key`), made without a trusted device cookie.
    Account(&'a str),
    /// One trusted device's.
    Device(&'a str),
}

/// What an attempt is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Failed log-ins since the window's start.
    pub failures: i64,
    /// When the last of them was (Unix seconds).
    pub last: Option<i64>,
    /// Attempts on the same slot being evaluated now.
    pub in_flight: i64,
}

/// One statement (one snapshot): the failures of the account `$1` since `$2`, and the attempts
/// on slot `$3` started after `$4`.
const READ_ACCOUNT: &str = "SELECT count(*), max(at), \
       (SELECT count(*) FROM login_attempts WHERE slot = $3 AND started_at > $4) \
     FROM auth_events \
     WHERE kind = 'login_failed' AND username_key = $1 AND at >= $2 AND device IS NULL";
/// The same for the trusted device `$1`.
const READ_DEVICE: &str = "SELECT count(*), max(at), \
       (SELECT count(*) FROM login_attempts WHERE slot = $3 AND started_at > $4) \
     FROM auth_events \
     WHERE kind = 'login_failed' AND device = $1 AND at >= $2";

/// Claims a place for an attempt on `slot` at `now` if `rule` admits it, given the failures of
/// `failures` since `since` and the attempts on `slot` started after `live_after`; `Ok(Err(wait))`
/// when `rule` refuses it. Read, decided and claimed under a lock on `slot` (PostgreSQL: an
/// advisory lock for the transaction; SQLite: the write lock), with the read in one statement:
/// two attempts, on any instances, are checked one after the other, and one that ends meanwhile
/// (it records its failure before it gives its place back) is seen either in flight or failed,
/// never as neither. Returns the place's id, for [`release`].
pub async fn claim(
    db: &Db,
    slot: &str,
    failures: Failures<'_>,
    since: i64,
    now: i64,
    live_after: i64,
    rule: impl FnOnce(&Counts) -> Result<(), i64>,
) -> sqlx::Result<Result<i64, i64>> {
    let (read, key) = match failures {
        Failures::Account(key) => (READ_ACCOUNT, key),
        Failures::Device(device) => (READ_DEVICE, device),
    };
    let postgres = matches!(db, Db::Postgres(_));
    on_pool!(db, pool => {
        // PostgreSQL: READ COMMITTED whatever the server's default, so that the read after the
        // lock sees what the lock's previous holder committed (a transaction snapshot taken at
        // the lock statement would not).
        let mut tx = if postgres {
            pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED").await?
        } else {
            pool.begin_with("BEGIN IMMEDIATE").await?
        };
        if postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(slot)
                .execute(&mut *tx)
                .await?;
        }
        let (failures, last, in_flight): (i64, Option<i64>, i64) = sqlx::query_as(read)
            .bind(key)
            .bind(since)
            .bind(slot)
            .bind(live_after)
            .fetch_one(&mut *tx)
            .await?;
        if let Err(wait) = rule(&Counts { failures, last, in_flight }) {
            tx.rollback().await?;
            return Ok(Err(wait));
        }
        // `fetch_all`: the statement runs to its end (see `users::insert`).
        let ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO login_attempts (slot, started_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(slot)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(ids.first().copied().ok_or(sqlx::Error::RowNotFound)?))
    })
}

/// Gives back the place `id`, claimed at `started_at` (with it: SQLite may give a pruned
/// place's id to a new one).
pub async fn release(db: &Db, id: i64, started_at: i64) -> sqlx::Result<()> {
    on_pool!(db, pool => sqlx::query("DELETE FROM login_attempts WHERE id = $1 AND started_at = $2")
        .bind(id)
        .bind(started_at)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Deletes the places of attempts started at or before `live_after` (their instance died
/// before giving them back). Returns how many went.
pub async fn prune(db: &Db, live_after: i64) -> sqlx::Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM login_attempts WHERE started_at <= $1")
        .bind(live_after)
        .execute(pool)
        .await?
        .rows_affected()),
    )
}

/// Places held now (for tests and tools).
pub async fn held(db: &Db) -> sqlx::Result<i64> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT count(*) FROM login_attempts")
        .fetch_one(pool)
        .await)
}
