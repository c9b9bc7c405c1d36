//! The database: the one place that writes SQL. [`Db`] is the handle every caller holds, and
//! each table (or group of tables one domain owns) has its repository module, whose functions
//! take a `&Db`: [`users`], [`events`] (the auth event log), [`sessions`] (the session records),
//! [`user_sessions`] (which session belongs to which user), [`flashes`], and [`probe`] (the
//! readiness probe's row).
//!
//! The seam for a second backend: today `Db` holds an SQLite pool; another backend is another
//! variant of `Db` and another arm in each repository function, with its own migrations, and
//! nothing above this module changes. Errors are `sqlx::Error`, whichever backend.

mod config;
pub mod events;
pub mod flashes;
mod pool;
pub mod probe;
pub mod sessions;
mod unavailable;
pub mod user_sessions;
pub mod users;

use sqlx::SqlitePool;

pub use self::{config::DatabaseConfig, unavailable::Unavailable};

/// The database handle: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens the database `config` names, creating an SQLite file and its directory when
    /// missing (see `pool::open` for the settings).
    pub async fn open(config: &DatabaseConfig) -> Result<Self, sqlx::Error> {
        Ok(Self {
            pool: pool::open(config).await?,
        })
    }

    /// A handle on an existing SQLite pool (tests, tools).
    pub fn from_sqlite(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Applies the migrations in `migrations/` (embedded at compile time) that have not run.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        sqlx::migrate!().run(&self.pool).await
    }

    /// The SQLite pool itself, for tests and tools that look at the file directly; the app
    /// goes through the repositories.
    pub fn sqlite_pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection (after serving).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
pub use pool::test_pool;
