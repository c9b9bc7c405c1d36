//! Throttling of log-in and registration, before the server functions run:
//!
//! - **Per client IP**: at most `auth.attempts_per_ip_per_minute` posts to `/api/login` and
//!   `/api/register`, in bursts of as many (a cell of the generic cell rate algorithm per
//!   client, kept in the database, `db::ip_limits`: every instance on it counts the same
//!   attempts).
//! - **Per account**: failed log-ins for a user name (existing or not) in the last hour. The
//!   first [`FREE_FAILURES`] cost nothing; after them each attempt must wait 1 s, 2 s, 4 s ...
//!   at most [`MAX_DELAY_SECS`] after the previous failure, so at most 100 failures an hour get
//!   through. Attempts still being evaluated ([`AttemptsInFlight`]) count as failures, so
//!   simultaneous attempts cannot all pass the check made before their password hash (one held
//!   back by them is told to wait a second); a refused attempt holds no place.
//! - **Per trusted device**: an attempt with a valid device cookie for the account
//!   ([`super::device`], given by an earlier successful log-in in that browser) is counted
//!   with that device's own failures instead, by the same rule; so the owner's browser is not
//!   kept waiting by a stranger's failures, and a stolen device cookie buys only its own.
//!
//! The rules and their counters are here; the middleware that applies them to each post is
//! `web::throttle`. A throttled request is answered `429 Too Many Requests` with
//! `Retry-After`, logged as a `throttled` auth event, and gets a `warning` flash that says how
//! long to wait.

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
};

use super::device::{self, TrustedDevice};
use crate::db::{self, Db};

/// Failed log-ins per account per hour that cost no waiting.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between failed log-ins of one account: 3600 / 36 = 100 an hour.
pub const MAX_DELAY_SECS: i64 = 36;
/// Reads of the recorded failures for one attempt, at most (see [`AttemptsInFlight`]); an
/// attempt that keeps finding others ending meanwhile is told to try again in a second.
pub const MAX_READS: usize = 4;

/// How long after the last failure the next attempt must wait, with `failures` in the last hour.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(16) as u32;
    2_i64.pow(doublings).min(MAX_DELAY_SECS)
}

/// Seconds an attempt must still wait at `now` after the last failed log-in it is counted
/// with, those failures in the hour before, and the device it is counted as: a trusted
/// device's own failures, unless it has [`device::LOCKOUT_FAILURES`] of them (then, as every
/// other attempt, the account's shared ones, `username_key`).
pub async fn wait_before_attempt(
    db: &Db,
    username_key: &str,
    device: Option<TrustedDevice>,
    now: i64,
) -> sqlx::Result<(i64, i64, Option<TrustedDevice>)> {
    let hour_ago = now - 3600;
    let wait_after = |failures: i64, last: Option<i64>| {
        last.map_or(0, |last| (last + delay_after(failures) - now).max(0))
    };
    if let Some(device) = device {
        let (failures, last) = db::events::device_failures_since(db, &device.0, hour_ago).await?;
        if failures < device::LOCKOUT_FAILURES {
            return Ok((wait_after(failures, last), failures, Some(device)));
        }
    }
    let (failures, last) = db::events::failures_since(db, username_key, hour_ago).await?;
    Ok((wait_after(failures, last), failures, None))
}

/// Log-in attempts being evaluated right now, per account. The check runs before the password
/// hash and the failure is recorded after it, so without these, simultaneous wrong passwords
/// would all pass the check; each attempt in flight counts as a failure.
/// An entry lives only while its attempts do (its memory is bounded by the requests in flight).
///
/// An attempt that ends between another one's read of the recorded failures and its admission
/// would be counted by neither (its failure recorded too late for the read, its place given back
/// before the admission): every place given back counts up [`AttemptsInFlight::released`], and
/// an admission whose read is older than the last give-back is told to read again.
#[derive(Clone, Default)]
pub struct AttemptsInFlight(Arc<Mutex<InFlight>>);

#[derive(Default)]
struct InFlight {
    per_key: HashMap<String, u32>,
    /// Places given back so far (any key).
    released: u64,
}

/// One attempt's place; given back when dropped (the log-in ended, or its client hung up).
pub struct Reservation {
    attempts: AttemptsInFlight,
    key: String,
}

/// Why an attempt was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub enum NotAdmitted {
    /// It must wait this many seconds.
    Wait(i64),
    /// An attempt ended since the failures were read: read them again.
    ReadAgain,
}

impl AttemptsInFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, InFlight> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Places given back so far: take it before reading the recorded failures.
    pub fn released(&self) -> u64 {
        self.lock().released
    }

    /// Admits an attempt on `key` whose account has `failures` recorded and must wait `wait`
    /// seconds, as read after [`AttemptsInFlight::released`] said `read_after`: the attempts
    /// already in flight count as failures too. An admitted attempt holds its place until the
    /// [`Reservation`] is dropped; a refused one holds nothing and gets the seconds to wait (at
    /// least 1 when only attempts in flight stand in its way).
    pub fn admit(
        &self,
        key: &str,
        wait: i64,
        failures: i64,
        read_after: u64,
    ) -> Result<Reservation, NotAdmitted> {
        let mut inner = self.lock();
        if wait > 0 {
            return Err(NotAdmitted::Wait(wait));
        }
        if inner.released != read_after {
            return Err(NotAdmitted::ReadAgain);
        }
        let in_flight = inner.per_key.get(key).copied().unwrap_or(0);
        if in_flight > 0 && failures + i64::from(in_flight) >= FREE_FAILURES {
            return Err(NotAdmitted::Wait(1));
        }
        *inner.per_key.entry(key.to_owned()).or_insert(0) += 1;
        Ok(Reservation {
            attempts: self.clone(),
            key: key.to_owned(),
        })
    }

    /// Accounts with attempts in flight (for tests).
    pub fn accounts(&self) -> usize {
        self.lock().per_key.len()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut inner = self.attempts.lock();
        inner.released += 1;
        if let Some(count) = inner.per_key.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                inner.per_key.remove(&self.key);
            }
        }
    }
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
    fn attempts_in_flight_count_as_failures_and_refused_ones_hold_nothing() {
        let attempts = AttemptsInFlight::default();
        let now = |attempts: &AttemptsInFlight| attempts.released();
        // Two failures recorded, three attempts in flight: the free ones are used up.
        let held: Vec<_> = (0..3)
            .map(|_| attempts.admit("a", 0, 2, now(&attempts)).unwrap())
            .collect();
        let refused = attempts.admit("a", 0, 2, now(&attempts)).err();
        assert_eq!(refused, Some(NotAdmitted::Wait(1)));
        // A recorded delay is told as it is; another account is not affected.
        let refused = attempts.admit("a", 7, 2, now(&attempts)).err();
        assert_eq!(refused, Some(NotAdmitted::Wait(7)));
        let other = attempts.admit("b", 0, 0, now(&attempts)).unwrap();
        assert_eq!(attempts.accounts(), 2);
        // Failures read before an attempt ended may miss its failure: read again.
        let read_before = now(&attempts);
        drop(held);
        drop(other);
        assert_eq!(attempts.accounts(), 0, "places are given back");
        let stale = attempts.admit("a", 0, 2, read_before).err();
        assert_eq!(stale, Some(NotAdmitted::ReadAgain));
        assert!(attempts.admit("a", 0, 2, now(&attempts)).is_ok());
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
