//! [`ConfigError`]: why the settings could not be read, each message naming the key (and the
//! file or environment variable) at fault.

use std::path::PathBuf;

use super::{CONFIG_FILE_VAR, ENV_PREFIX};

/// Why the settings could not be read. Every variant names the key or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `FLASHBOARD_CONFIG` names a file that does not exist.
    #[error("settings file {0:?} (named by {CONFIG_FILE_VAR}) does not exist")]
    MissingFile(PathBuf),
    /// A value has the wrong type or shape, or a key is unknown, or the file is not valid TOML.
    #[error("{}", .0.join("; "))]
    Parse(Vec<String>),
    /// A value is well-formed but not allowed.
    #[error("invalid setting `{key}`: {why}")]
    Invalid { key: String, why: String },
}

impl ConfigError {
    pub(super) fn from_figment(err: figment::Error) -> Self {
        ConfigError::Parse(err.into_iter().map(|e| describe(&e)).collect())
    }
}

/// One figment error as "invalid setting `section.key`: what is wrong (from where)".
fn describe(err: &figment::Error) -> String {
    let key = err.path.join(".");
    let origin = err.metadata.as_ref().map(|md| match &md.source {
        Some(source) => format!(" (from {} {source})", md.name),
        // The environment provider has no file; name the variable itself.
        None if !err.path.is_empty() => format!(" (from environment variable {})", env_var(&key)),
        None => format!(" (from {})", md.name),
    });
    let origin = origin.unwrap_or_default();
    if key.is_empty() {
        format!("invalid settings: {}{origin}", err.kind)
    } else {
        format!("invalid setting `{key}`: {}{origin}", err.kind)
    }
}

/// The environment variable that overrides `key`: `server.address` -> `FLASHBOARD_SERVER__ADDRESS`.
pub fn env_var(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.replace('.', "__").to_uppercase())
}
