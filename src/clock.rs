//! The clock that session lifetimes, log-in times and the per-account log-in delay are measured
//! by: the system's in the app, one the tests move by hand (so that a test of a 30-minute idle
//! timeout takes no time and cannot race the real clock). Not by it: the `Max-Age` of a
//! remembered cookie (tower-sessions computes it from the system's clock). The per-IP limiter
//! reads it in milliseconds. Also [`Period`], a length of time as the settings state it.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use tower_sessions::cookie::time::{Duration, OffsetDateTime};

/// The system clock, or a manual one shared by every copy.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system's clock (the default).
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that shows the system's time now and afterwards moves only by
    /// [`Clock::advance`]: for tests.
    pub fn manual() -> Self {
        Self(Some(Arc::new(AtomicI64::new(
            OffsetDateTime::now_utc().unix_timestamp(),
        ))))
    }

    /// Moves a manual clock forward by `by` (whole seconds); does nothing to the system's.
    pub fn advance(&self, by: std::time::Duration) {
        if let Some(now) = &self.0 {
            let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
            now.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// The time, in Unix seconds.
    pub fn now_unix(&self) -> i64 {
        match &self.0 {
            None => OffsetDateTime::now_utc().unix_timestamp(),
            Some(now) => now.load(Ordering::SeqCst),
        }
    }

    /// The time, in Unix milliseconds (a manual clock's are whole seconds).
    pub fn now_unix_millis(&self) -> i64 {
        match &self.0 {
            None => {
                let now = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
                i64::try_from(now).unwrap_or(i64::MAX)
            }
            Some(now) => now.load(Ordering::SeqCst).saturating_mul(1000),
        }
    }

    /// The time.
    pub fn now(&self) -> OffsetDateTime {
        match &self.0 {
            None => OffsetDateTime::now_utc(),
            Some(now) => OffsetDateTime::UNIX_EPOCH
                .saturating_add(Duration::seconds(now.load(Ordering::SeqCst))),
        }
    }
}

/// Two clocks are equal when both are the system's or both are the same manual clock.
impl PartialEq for Clock {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// A length of time of at least one second (what session lifetimes and intervals are counted
/// in), written in the settings as humantime does: `30m`, `12h`, `30days`. A shorter one cannot
/// be made: reading `0s` from the settings fails with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period(std::time::Duration);

impl Period {
    /// The shortest period.
    pub const MIN: Period = Period(std::time::Duration::from_secs(1));

    /// `seconds` long (at least one).
    pub const fn from_secs(seconds: std::num::NonZeroU64) -> Self {
        Self(std::time::Duration::from_secs(seconds.get()))
    }

    /// The length.
    pub fn get(self) -> std::time::Duration {
        self.0
    }
}

impl TryFrom<std::time::Duration> for Period {
    type Error = &'static str;

    fn try_from(duration: std::time::Duration) -> Result<Self, Self::Error> {
        if duration < Self::MIN.0 {
            Err("must be at least 1s")
        } else {
            Ok(Self(duration))
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_duration(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = String::deserialize(deserializer)?;
        let duration = humantime::parse_duration(&text).map_err(D::Error::custom)?;
        Self::try_from(duration).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_all_copies_see_it() {
        let clock = Clock::manual();
        let copy = clock.clone();
        let start = clock.now_unix();
        clock.advance(std::time::Duration::from_secs(90));
        assert_eq!(copy.now_unix(), start + 90);
        assert_eq!(copy.now().unix_timestamp(), start + 90);
        assert_eq!(clock, copy);
        assert_ne!(clock, Clock::system());
    }
}
