//! `[database]`: which database, and how the pool uses it.

use std::{num::NonZeroU32, time::Duration};

use serde::{Deserialize, Serialize};

/// `[database]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Which database: `sqlite://path/to/file.db` (the file and its directory are created when
    /// missing) or `postgres://user:password@host:port/database` (the database must exist).
    pub url: String,
    /// The size of the connection pool.
    pub max_connections: NonZeroU32,
    /// How long a connection waits for a lock held by another one before it gives up, e.g.
    /// `5s` (SQLite's busy timeout, PostgreSQL's `lock_timeout`); also the longest wait for a
    /// free connection (at least a second).
    #[serde(with = "humantime_serde")]
    pub busy_timeout: Duration,
    /// PostgreSQL: the longest any statement may run (`statement_timeout`), e.g. `5s`. (SQLite
    /// runs in the process: a statement there waits at most `busy_timeout` for its lock.)
    #[serde(with = "humantime_serde")]
    pub statement_timeout: Duration,
}

impl DatabaseConfig {
    /// The SQLite database file the URL names; `None` for PostgreSQL and for an in-memory
    /// database.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        use std::str::FromStr;
        if super::Backend::of_url(&self.url) != Some(super::Backend::Sqlite)
            || self.url.contains(":memory:")
            || self.url.contains("mode=memory")
        {
            return None;
        }
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&self.url).ok()?;
        let file = options.get_filename();
        (!file.as_os_str().is_empty()).then(|| file.to_path_buf())
    }

    /// The URL as messages and logs may show it: a password in it (`user:password@`, or a
    /// `password=` parameter) is replaced by `***`; a URL that cannot be read as one keeps only
    /// what comes before `://` and after the last `@`.
    pub fn url_for_display(&self) -> String {
        let Ok(mut url) = url::Url::parse(&self.url) else {
            return match (self.url.split_once("://"), self.url.rsplit_once('@')) {
                (Some((scheme, _)), Some((_, host))) => format!("{scheme}://***@{host}"),
                _ => self.url.clone(),
            };
        };
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        if url.query_pairs().any(|(key, _)| key == "password") {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(key, value)| {
                    let value = if key == "password" {
                        "***".into()
                    } else {
                        value
                    };
                    (key.into_owned(), value.into_owned())
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.to_string()
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/flashboard.db".into(),
            max_connections: NonZeroU32::new(8).unwrap(),
            busy_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password() {
        let with = |url: &str| DatabaseConfig {
            url: url.to_owned(),
            ..DatabaseConfig::default()
        };
        let shown = with("postgres://app:s3cret@db.internal:5432/flashboard").url_for_display();
        assert_eq!(shown, "postgres://app:***@db.internal:5432/flashboard");
        assert!(!shown.contains("s3cret"));
        for secret in [
            "postgres://app@db.internal/flashboard?sslmode=require&password=s3cret",
            "postgres://app:s3cret@db.internal:99999/flashboard",
        ] {
            let shown = with(secret).url_for_display();
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("db.internal"), "{shown}");
        }
        for plain in [
            "sqlite://data/flashboard.db",
            "sqlite::memory:",
            "not a url",
        ] {
            assert_eq!(with(plain).url_for_display(), plain);
        }
    }
}
