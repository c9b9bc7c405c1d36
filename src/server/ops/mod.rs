//! The operator's chores, as the binary's subcommands run them: accounts (`flashboard user`),
//! sessions (`flashboard sessions`), the auth event log (`flashboard events`), a copy of the
//! database (`flashboard backup`) and the settings (`flashboard check-config`). Each reads the
//! settings as the server does, opens the database they name (applying any migration that has
//! not run, as start-up does), does one thing, and says what it did on standard output; a
//! failure is an [`OpsError`], which the binary prints before exiting with status 1.

mod backup;
mod events;
mod sessions;
mod users;

pub use self::{
    backup::backup,
    events::prune_events,
    sessions::{list_sessions, purge_expired_sessions, purge_user_sessions},
    users::{create_user, delete_user, list_users, read_password, set_password},
};

use super::{build::StartupError, config::Config};
use crate::db::Db;

/// Why a chore could not be done.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The settings, or the database they name, could not be used.
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// What was asked cannot be done; the message says why.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<super::config::ConfigError> for OpsError {
    fn from(err: super::config::ConfigError) -> Self {
        Self::Startup(err.into())
    }
}

/// The settings and the database they name, which must exist and be migrated: a chore never
/// creates a database, nor changes its schema (a backup taken before an upgrade must be of the
/// database as it was; a mistyped path must not back up a new, empty one). `flashboard migrate`
/// and the server's start-up do both.
async fn open() -> Result<(Config, Db), OpsError> {
    let config = Config::load()?;
    let url = config.database.url_for_display();
    if let Some(file) = config.database.sqlite_file()
        && !file.is_file()
    {
        return Err(OpsError::Refused(format!(
            "no database at {}: check `database.url` (the server, or `flashboard migrate`, \
             creates it)",
            file.display()
        )));
    }
    let db = Db::open(&config.database)
        .await
        .map_err(|source| StartupError::Database {
            url: url.clone(),
            source,
        })?;
    let pending = db.pending_migrations().await;
    if !pending.as_ref().is_ok_and(Vec::is_empty) {
        db.close().await;
        return Err(OpsError::Refused(format!(
            "the database {url} is not migrated to this version: run `flashboard migrate` first"
        )));
    }
    Ok((config, db))
}

/// The user named `name` (compared as log-ins compare names), or a refusal that says there is
/// none.
async fn stored_user(db: &Db, name: &str) -> Result<crate::db::users::StoredUser, OpsError> {
    let key = crate::auth::form::username_key(name);
    crate::db::users::by_key(db, &key)
        .await?
        .ok_or_else(|| OpsError::Refused(format!("no user named {name:?}")))
}

/// Writes a line to standard output. A closed pipe (`flashboard user list | head -1`) ends
/// the output quietly instead of a panic.
fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
