//! The database: the one place that writes SQL. [`Db`] is the handle every caller holds, and
//! each table (or group of tables one domain owns) has its repository module, whose functions
//! take a `&Db`: [`users`], [`events`] (the auth event log), [`sessions`] (the session records),
//! [`user_sessions`] (which session belongs to which user), [`flashes`], [`ip_limits`] (the
//! per-address log-in limits), [`login_attempts`] (the log-ins being evaluated), [`password_resets`] (the reset links sent), and [`probe`]
//! (the readiness probe's row), and [`backup`] (a copy of an SQLite database in use).
//!
//! Two backends, chosen once at start-up by the URL's scheme ([`Backend`]): SQLite (the
//! embedded default, `sqlite://...`) and PostgreSQL (`postgres://...`, for several instances on
//! one database). `Db` is an enum of their pools, and a repository function runs its statement
//! on whichever it holds with [`on_pool!`], which compiles the one body once per backend. The
//! SQL is written once where both dialects read it alike (`$1` placeholders, which SQLite reads
//! too, `RETURNING`, `ON CONFLICT`, `IS NOT DISTINCT FROM`), and once per backend, side by
//! side, where they differ. Each backend has its own migrations (`migrations/sqlite`,
//! `migrations/postgres`). Errors are `sqlx::Error`, whichever backend; [`Unavailable`] reads
//! both backends' codes.

/// Runs `$body` with `$pool` bound to the pool `$db` holds: the body is compiled once for each
/// backend, so the binds and the decoded types are checked against both.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

pub mod backup;
mod busy;
mod checkpoint;
mod config;
pub mod events;
pub mod flashes;
pub mod ip_limits;
pub mod login_attempts;
mod migrate;
pub mod password_resets;
mod pool;
mod postgres;
pub mod probe;
pub mod sessions;
mod unavailable;
pub mod user_sessions;
pub mod users;

use sqlx::{PgPool, SqlitePool};

pub use self::{config::DatabaseConfig, unavailable::Unavailable};

/// Which database system a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite:` (the default: a file, nothing to install).
    Sqlite,
    /// `postgres:` or `postgresql:`.
    Postgres,
}

impl Backend {
    /// The backend `url` names, if it names one this app supports.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    /// `"sqlite"` or `"postgres"`, as `/healthz` reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// The database handle: clones share one connection pool.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Opens the database `config` names: an SQLite file (created, with its directory, when
    /// missing; see `pool::open`) or a PostgreSQL server (see `postgres::open`).
    pub async fn open(config: &DatabaseConfig) -> Result<Self, sqlx::Error> {
        match Backend::of_url(&config.url) {
            Some(Backend::Postgres) => Ok(Self::Postgres(postgres::open(config).await?)),
            Some(Backend::Sqlite) => Ok(Self::Sqlite(pool::open(config).await?)),
            None => Err(sqlx::Error::Configuration(
                "the database URL must start with `sqlite:` or `postgres:`".into(),
            )),
        }
    }

    /// A handle on an existing SQLite pool (tests, tools).
    pub fn from_sqlite(pool: SqlitePool) -> Self {
        Self::Sqlite(pool)
    }

    /// On SQLite, the task that copies the write-ahead log into the database file when a
    /// commit asks for it (see `checkpoint`), to run as long as the pool serves; `None` on
    /// PostgreSQL.
    pub fn spawn_checkpointer(&self) -> Option<tokio::task::JoinHandle<()>> {
        match self {
            Self::Sqlite(pool) => Some(checkpoint::spawn(pool.clone())),
            Self::Postgres(_) => None,
        }
    }

    /// On SQLite, how many commits in this process have copied the write-ahead log into the
    /// database file themselves, a request waiting for it (see `checkpoint`): the background
    /// task was behind or gone. The benchmark's large-store run prints it. `None` on PostgreSQL.
    pub fn inline_checkpoints(&self) -> Option<u64> {
        match self {
            Self::Sqlite(pool) => Some(
                checkpoint::Log::of(pool.connect_options().get_filename()).inline_checkpoints(),
            ),
            Self::Postgres(_) => None,
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the backend's migrations (embedded at compile time) that have not run; safe
    /// when several instances start at once (see `migrate`). `url` is the one opened.
    pub async fn migrate_url(&self, url: &str) -> Result<(), sqlx::migrate::MigrateError> {
        migrate::run(self, url).await
    }

    /// [`Db::migrate_url`] for a database opened from a file name (tests, tools).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        migrate::run(self, "").await
    }

    /// The SQLite pool itself, for tests and tools that look at the file directly; the app
    /// goes through the repositories.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match self {
            Self::Sqlite(pool) => Some(pool),
            Self::Postgres(_) => None,
        }
    }

    /// The pool's connections now: `(open, idle, most)`, for the metrics.
    pub fn pool_usage(&self) -> (u32, usize, u32) {
        on_pool!(self, pool => (pool.size(), pool.num_idle(), pool.options().get_max_connections()))
    }

    /// The migrations of the backend that have not been applied to this database (their
    /// versions): none, once it is migrated. For readiness.
    pub async fn pending_migrations(&self) -> sqlx::Result<Vec<i64>> {
        migrate::pending(self).await
    }

    /// Closes every connection (after serving).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

#[cfg(test)]
pub use pool::test_pool;

#[cfg(test)]
mod tests {
    use super::Backend;

    #[test]
    fn the_url_scheme_chooses_the_backend() {
        assert_eq!(Backend::of_url("sqlite://data/x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u:p@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("postgresql://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://h/db"), None);
        assert_eq!(Backend::of_url("data/x.db"), None);
    }
}
