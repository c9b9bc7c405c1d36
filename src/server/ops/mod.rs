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

use super::{
    build::{StartupError, open_and_migrate},
    config::Config,
};
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

/// The settings and the database they name, migrated.
async fn open() -> Result<(Config, Db), OpsError> {
    let config = Config::load()?;
    let db = open_and_migrate(&config.database).await?;
    Ok((config, db))
}

/// The id of the user named `name` (compared as log-ins compare names), or a refusal that says
/// there is none.
async fn user_id(db: &Db, name: &str) -> Result<(i64, String), OpsError> {
    let key = crate::auth::form::username_key(name);
    crate::db::users::by_key(db, &key)
        .await?
        .map(|user| (user.id, user.username_key))
        .ok_or_else(|| OpsError::Refused(format!("no user named {name:?}")))
}
