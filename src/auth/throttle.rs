//! Throttling of log-in and registration, before the server functions run:
//!
//! - **Per client IP**: at most `auth.attempts_per_ip_per_minute` posts to `/api/login` and
//!   `/api/register`, in bursts of as many (a cell of the generic cell rate algorithm per
//!   client, kept in the database, `db::ip_limits`: every instance on it counts the same
//!   attempts).
//! - **Per account**: failed log-ins for a user name (existing or not) in the last hour. The
//!   first [`FREE_FAILURES`] cost nothing; after them each attempt must wait 1 s, 2 s, 4 s ...
//!   at most [`MAX_DELAY_SECS`] after the previous failure, so at most 100 failures an hour get
//!   through. Attempts still being evaluated ([`Attempt`], a row in the database, so every
//!   instance counts every other's) count as failures, so simultaneous attempts cannot all pass
//!   the check made before their password hash (one held back by them is told to wait a
//!   second); a refused attempt holds no place.
//! - **Per trusted device**: an attempt with a valid device cookie for the account
//!   ([`super::device`], given by an earlier successful log-in in that browser) is counted
//!   with that device's own failures instead, by the same rule; so the owner's browser is not
//!   kept waiting by a stranger's failures, and a stolen device cookie buys only its own.
//!
//! The rules and their counters are here; the middleware that applies them to each post is
//! `web::throttle`. A throttled request is answered `429 Too Many Requests` with
//! `Retry-After`, logged as a `throttled` auth event, and gets a `warning` flash that says how
//! long to wait.

use std::{net::IpAddr, num::NonZeroU32};

use super::device::{self, TrustedDevice};
use crate::db::{
    self, Db,
    login_attempts::{Counts, Failures},
};

/// Failed log-ins per account per hour that cost no waiting.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between failed log-ins of one account: 3600 / 36 = 100 an hour.
pub const MAX_DELAY_SECS: i64 = 36;

/// How long after the last failure the next attempt must wait, with `failures` in the last hour.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(16) as u32;
    2_i64.pow(doublings).min(MAX_DELAY_SECS)
}

/// How long an admitted attempt's place counts at most: one older belongs to an instance that
/// died before giving it back (an attempt takes a second or so).
pub const IN_FLIGHT_SECS: i64 = 60;

/// The rule for an attempt counted with `counts` at `now`: `Ok`, or the seconds it must wait.
/// It waits out the delay after the last failure; and attempts still being evaluated count as
/// failures, so once they and the recorded ones use up the free failures, the next waits a
/// second (a refused attempt holds no place).
pub fn admission(counts: &Counts, now: i64) -> Result<(), i64> {
    let wait = counts
        .last
        .map_or(0, |last| (last + delay_after(counts.failures) - now).max(0));
    if wait > 0 {
        return Err(wait);
    }
    if counts.in_flight > 0 && counts.failures + counts.in_flight >= FREE_FAILURES {
        return Err(1);
    }
    Ok(())
}

/// An admitted attempt's place in the database, counted by every instance until it is given
/// back: by [`Attempt::end`] once the attempt's answer is ready (its failure, if it failed, is
/// recorded by then), or, when the request is dropped first (its client hung up), by a task
/// started when this is dropped.
pub struct Attempt {
    db: Db,
    /// The place's id and when it was claimed; `None` once given back.
    place: Option<(i64, i64)>,
}

impl Attempt {
    /// Gives the place back. (Kept until the delete succeeded: when it fails, or the request
    /// is dropped meanwhile, the drop tries again.)
    pub async fn end(mut self) -> sqlx::Result<()> {
        if let Some((id, started_at)) = self.place {
            db::login_attempts::release(&self.db, id, started_at).await?;
            self.place = None;
        }
        Ok(())
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if let Some((id, started_at)) = self.place.take() {
            let db = self.db.clone();
            tokio::spawn(async move {
                if let Err(err) = db::login_attempts::release(&db, id, started_at).await {
                    tracing::debug!(error = %err, "a log-in attempt's place stays until it is stale");
                }
            });
        }
    }
}

/// Admits a log-in attempt on the account `username_key` at `now`, or says how many seconds
/// it must wait. It is counted with a trusted `device`'s own failures, unless that device has
/// [`device::LOCKOUT_FAILURES`] of them in the last hour (then, as every other attempt, with
/// the account's shared ones); the device it was counted as comes back with the place.
pub async fn admit(
    db: &Db,
    username_key: &str,
    device: Option<TrustedDevice>,
    now: i64,
) -> sqlx::Result<Result<(Attempt, Option<TrustedDevice>), i64>> {
    let since = now - 3600;
    let device = match device {
        Some(device) => {
            let (failures, _) = db::events::device_failures_since(db, &device.0, since).await?;
            (failures < device::LOCKOUT_FAILURES).then_some(device)
        }
        None => None,
    };
    let (slot, failures) = match &device {
        Some(TrustedDevice(id)) => (format!("device {id}"), Failures::Device(id)),
        None => (username_key.to_owned(), Failures::Account(username_key)),
    };
    let live_after = now - IN_FLIGHT_SECS;
    let claimed =
        db::login_attempts::claim(db, &slot, failures, since, now, live_after, |counts| {
            admission(counts, now)
        })
        .await?;
    Ok(claimed.map(|id| {
        let attempt = Attempt {
            db: db.clone(),
            place: Some((id, now)),
        };
        (attempt, device)
    }))
}

/// Deletes the places of attempts whose instance died before giving them back.
pub async fn prune_attempts(db: &Db, now: i64) -> sqlx::Result<u64> {
    db::login_attempts::prune(db, now - IN_FLIGHT_SECS).await
}

/// The per-IP limit: `attempts` a minute, in bursts of as many, counted in the database.
#[derive(Clone, Copy, Debug)]
pub struct IpLimiter {
    /// Milliseconds between attempts, on average.
    interval: i64,
    burst: i64,
}

/// Whose cell an address counts against: an IPv4 address itself; an IPv6 address by its /64
/// (one customer's network: it has more addresses than anyone could try).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

impl IpLimiter {
    pub fn per_minute(attempts: NonZeroU32) -> Self {
        Self {
            interval: (60_000 / i64::from(attempts.get())).max(1),
            burst: i64::from(attempts.get()),
        }
    }

    /// Counts an attempt of `ip` at `now_millis` (Unix milliseconds): `Ok(())`, or the seconds
    /// until it may try again (at least 1).
    pub async fn check(
        &self,
        db: &Db,
        ip: IpAddr,
        now_millis: i64,
    ) -> sqlx::Result<Result<(), i64>> {
        let client = client_key(ip).to_string();
        let wait = db::ip_limits::admit(db, &client, now_millis, self.interval, self.burst).await?;
        Ok(match wait {
            None => Ok(()),
            Some(millis) => Err(((millis + 999) / 1000).max(1)),
        })
    }

    /// Deletes the cells spent by `now_millis` (a client without one has its whole burst), so
    /// the table holds only the clients of the last minute. Returns how many went.
    pub async fn prune(db: &Db, now_millis: i64) -> sqlx::Result<u64> {
        db::ip_limits::prune(db, now_millis).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap_at_a_hundred_an_hour() {
        let delays: Vec<i64> = (0..13).map(delay_after).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 36, 36]);
        assert!(3600 / delay_after(1_000) <= 100);
    }

    #[test]
    fn attempts_in_flight_count_as_failures_once_the_free_ones_are_used() {
        let counts = |failures, last, in_flight| Counts {
            failures,
            last,
            in_flight,
        };
        let now = 1_000;
        // Two failures recorded and two attempts in flight: room for one more.
        assert_eq!(admission(&counts(2, Some(now), 2), now), Ok(()));
        // Two failures and three in flight: the free ones are used up.
        assert_eq!(admission(&counts(2, Some(now), 3), now), Err(1));
        // Nothing in flight: only the recorded delay counts (none before the sixth failure).
        assert_eq!(admission(&counts(4, Some(now), 0), now), Ok(()));
        assert_eq!(admission(&counts(7, Some(now - 1), 0), now), Err(3));
        assert_eq!(admission(&counts(7, Some(now - 4), 0), now), Ok(()));
    }

    /// Places are claimed and given back in the database, and one left by a dead instance
    /// stops counting after a minute.
    #[tokio::test]
    async fn places_are_claimed_in_the_database_and_stale_ones_stop_counting() {
        let dir = tempfile::tempdir().unwrap();
        let db = db(dir.path()).await;
        let now = 1_000_000;
        let mut held = Vec::new();
        for _ in 0..5 {
            let (attempt, _) = admit(&db, "a", None, now).await.unwrap().unwrap();
            held.push(attempt);
        }
        assert_eq!(admit(&db, "a", None, now).await.unwrap().err(), Some(1));
        assert!(admit(&db, "b", None, now).await.unwrap().is_ok());
        for attempt in held.drain(..3) {
            attempt.end().await.unwrap();
        }
        assert!(admit(&db, "a", None, now).await.unwrap().is_ok());
        // The places still held are a dead instance's: a minute on, they count no more.
        std::mem::forget(held);
        let later = now + IN_FLIGHT_SECS;
        assert!(db::login_attempts::held(&db).await.unwrap() > 0);
        let mut again = Vec::new();
        for _ in 0..5 {
            again.push(admit(&db, "a", None, later).await.unwrap().unwrap());
        }
        assert!(prune_attempts(&db, later).await.unwrap() >= 2);
    }

    /// A database with the migrations applied, in `dir`.
    async fn db(dir: &std::path::Path) -> Db {
        let db = Db::from_sqlite(crate::db::test_pool(dir, "limits.db").await);
        db.migrate().await.unwrap();
        db
    }

    #[tokio::test]
    async fn an_ipv6_client_is_its_64_network() {
        let dir = tempfile::tempdir().unwrap();
        let db = db(dir.path()).await;
        let limiter = IpLimiter::per_minute(NonZeroU32::MIN);
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let check = |address: &str| limiter.check(&db, ip(address), 1_000_000);
        assert_eq!(check("2001:db8:0:1::1").await.unwrap(), Ok(()));
        // Another address of the same /64 shares the cell.
        assert_eq!(check("2001:db8:0:1:ffff::2").await.unwrap(), Err(60));
        // The next /64 does not.
        assert_eq!(check("2001:db8:0:2::1").await.unwrap(), Ok(()));
        // An IPv4-mapped address is its IPv4 address.
        assert_eq!(check("192.0.2.7").await.unwrap(), Ok(()));
        assert!(check("::ffff:192.0.2.7").await.unwrap().is_err());
        assert_eq!(client_key(ip("2001:db8:0:1:a:b:c:d")), ip("2001:db8:0:1::"));
    }

    /// Five a minute: a burst of five, then one every twelve seconds; a refusal says how long
    /// to wait and costs nothing; spent cells are pruned.
    #[tokio::test]
    async fn a_burst_then_one_per_interval_and_refusals_cost_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = db(dir.path()).await;
        let limiter = IpLimiter::per_minute(NonZeroU32::new(5).unwrap());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let start = 1_000_000_000;
        for _ in 0..5 {
            assert_eq!(limiter.check(&db, ip, start).await.unwrap(), Ok(()));
        }
        assert_eq!(limiter.check(&db, ip, start).await.unwrap(), Err(12));
        assert_eq!(
            limiter.check(&db, ip, start + 11_000).await.unwrap(),
            Err(1)
        );
        assert_eq!(
            limiter.check(&db, ip, start + 12_000).await.unwrap(),
            Ok(())
        );
        assert_eq!(
            limiter.check(&db, ip, start + 12_000).await.unwrap(),
            Err(12)
        );
        // Another client is not affected.
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert_eq!(limiter.check(&db, other, start).await.unwrap(), Ok(()));
        // A minute after its last attempt a client's cell is spent and pruned; it has its
        // whole burst again.
        assert_eq!(IpLimiter::prune(&db, start + 59_000).await.unwrap(), 1);
        assert_eq!(IpLimiter::prune(&db, start + 73_000).await.unwrap(), 1);
        for _ in 0..5 {
            assert_eq!(
                limiter.check(&db, ip, start + 73_000).await.unwrap(),
                Ok(())
            );
        }
    }
}
