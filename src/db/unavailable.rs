//! [`Unavailable`]: the database failures that mean "cannot be used right now" (each a
//! condition the operator can fix, after which the app recovers by itself) rather than a
//! mistake of the app, as either backend reports them.

/// Why the database cannot be used right now (each a condition the operator can fix, after
/// which the app recovers by itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// `SQLITE_FULL`, PostgreSQL's `53100 disk_full`: the disk, or the size limit, is reached.
    Full,
    /// `SQLITE_BUSY`/`SQLITE_LOCKED`: another connection or process held the write lock for
    /// longer than `database.busy_timeout`; on PostgreSQL a lock or statement timeout, a
    /// deadlock, or a serialization failure.
    Locked,
    /// `SQLITE_READONLY`: the file (or its directory, or the filesystem) cannot be written; on
    /// PostgreSQL a read-only server (a standby, or `default_transaction_read_only`).
    ReadOnly,
    /// An I/O error, or the file cannot be opened; on PostgreSQL the server is out of memory or
    /// reports an I/O error.
    Io,
    /// No connection within the wait (`PoolTimedOut`): every connection is busy or failing; on
    /// PostgreSQL also a server that refuses connections (shutting down, starting, too many).
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
                if let Some(err) = err.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    return Self::of_sqlstate(err.code());
                }
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

    /// The reason a PostgreSQL SQLSTATE gives, if it is one of these.
    fn of_sqlstate(code: &str) -> Option<Self> {
        match code {
            "53100" => Some(Self::Full),
            // lock_not_available (lock_timeout), query_canceled (statement_timeout),
            // deadlock_detected, serialization_failure.
            "55P03" | "57014" | "40P01" | "40001" => Some(Self::Locked),
            "25006" => Some(Self::ReadOnly),
            // out_of_memory, insufficient_resources; io_error and the other system errors.
            "53200" | "53000" => Some(Self::Io),
            code if code.starts_with("58") => Some(Self::Io),
            // too_many_connections; admin_shutdown, crash_shutdown, cannot_connect_now; the
            // connection exceptions.
            "53300" | "57P01" | "57P02" | "57P03" => Some(Self::NoConnection),
            code if code.starts_with("08") => Some(Self::NoConnection),
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

#[cfg(test)]
mod tests {
    use super::Unavailable;

    #[test]
    fn postgres_codes_name_the_reason_and_other_errors_none() {
        for (code, reason) in [
            ("53100", Some(Unavailable::Full)),
            ("55P03", Some(Unavailable::Locked)),
            ("57014", Some(Unavailable::Locked)),
            ("25006", Some(Unavailable::ReadOnly)),
            ("58030", Some(Unavailable::Io)),
            ("57P01", Some(Unavailable::NoConnection)),
            ("08006", Some(Unavailable::NoConnection)),
            // unique_violation, foreign_key_violation, undefined_table: the app's own business.
            ("23505", None),
            ("23503", None),
            ("42P01", None),
        ] {
            assert_eq!(Unavailable::of_sqlstate(code), reason, "{code}");
        }
    }
}
