//! [`Unavailable`]: the database failures that mean "cannot be used right now" (each a
//! condition the operator can fix, after which the app recovers by itself) rather than a
//! mistake of the app, as this backend reports them.

/// Why the database cannot be used right now (each a condition the operator can fix, after
/// which the app recovers by itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// `SQLITE_FULL`: the disk, or the size limit, is reached.
    Full,
    /// `SQLITE_BUSY`/`SQLITE_LOCKED`: another connection or process held the write lock for
    /// longer than `database.busy_timeout`.
    Locked,
    /// `SQLITE_READONLY`: the file (or its directory, or the filesystem) cannot be written.
    ReadOnly,
    /// An I/O error, or the file cannot be opened.
    Io,
    /// No connection within the wait (`PoolTimedOut`): every connection is busy or failing.
    NoConnection,
    /// The readiness probe failed otherwise (a damaged file, a missing table): the app's
    /// requests fail too, but as `500`s, since no wait will mend it.
    Broken,
}

impl Unavailable {
    pub const ALL: [Self; 6] = [
        Self::Full,
        Self::Locked,
        Self::ReadOnly,
        Self::Io,
        Self::NoConnection,
        Self::Broken,
    ];

    /// The reason `err` gives, if it is one of these.
    pub fn of_sqlx(err: &sqlx::Error) -> Option<Self> {
        match err {
            sqlx::Error::Database(err) => {
                // SQLite's extended result code; the primary code is its low byte.
                let code: i32 = err.code()?.parse().ok()?;
                match code & 0xff {
                    13 => Some(Self::Full),
                    5 | 6 => Some(Self::Locked),
                    8 => Some(Self::ReadOnly),
                    // IOERR, CANTOPEN, PROTOCOL (a lock protocol failure), NOMEM.
                    10 | 14 | 15 | 7 => Some(Self::Io),
                    _ => None,
                }
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Some(Self::NoConnection),
            sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => Some(Self::Io),
            _ => None,
        }
    }

    /// The reason in words, for the log and `/readyz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "database or disk is full",
            Self::Locked => "database is locked by another connection",
            Self::ReadOnly => "database is read-only",
            Self::Io => "database I/O error",
            Self::NoConnection => "no database connection available",
            Self::Broken => "database error",
        }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
