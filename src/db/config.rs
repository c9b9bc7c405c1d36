//! `[database]`: which database, and how the pool uses it.

use std::{num::NonZeroU32, time::Duration};

use serde::{Deserialize, Serialize};

/// `[database]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// An sqlx SQLite URL. The file and its directory are created when missing.
    pub url: String,
    /// The size of the connection pool.
    pub max_connections: NonZeroU32,
    /// How long a connection waits for a lock held by another one before it gives up, e.g. `5s`.
    #[serde(with = "humantime_serde")]
    pub busy_timeout: Duration,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/flashboard.db".into(),
            max_connections: NonZeroU32::new(8).unwrap(),
            busy_timeout: Duration::from_secs(5),
        }
    }
}
