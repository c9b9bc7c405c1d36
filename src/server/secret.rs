//! The app's secret key, which signs the session cookie (the chapter's `app.secret_key`).
//!
//! Taken from `SECRET_KEY` (at least 64 bytes). In dev mode, when it is absent, a random key is
//! generated once and kept in `secret_key` beside the database file, readable by its owner
//! only, so sessions survive restarts. In production mode a missing or short key stops start-up.

use std::{
    fs,
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use tower_sessions::cookie::Key;

use super::config::Config;

/// The environment variable that holds the key.
pub const SECRET_KEY_VAR: &str = "SECRET_KEY";
/// The shortest key accepted, in bytes (what cookie signing needs).
pub const MIN_KEY_BYTES: usize = 64;

/// The key material, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Vec<u8>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    /// Wraps key material as given (checked when the key is used).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// `SECRET_KEY` from the environment, if set.
    pub fn from_env() -> Option<Self> {
        std::env::var_os(SECRET_KEY_VAR).map(|value| Self(value.into_encoded_bytes()))
    }
}

/// Why there is no usable key.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "{SECRET_KEY_VAR} is {0} bytes long; it must be at least {MIN_KEY_BYTES} random bytes \
         (e.g. `openssl rand -hex 64`)"
    )]
    TooShort(usize),
    #[error(
        "{SECRET_KEY_VAR} is not set; production mode needs a key of at least {MIN_KEY_BYTES} random \
         bytes (e.g. `export {SECRET_KEY_VAR}=$(openssl rand -hex 64)`), or run in dev mode \
         (FLASHBOARD_MODE=dev), which generates one"
    )]
    Missing,
    #[error("cannot read or create the dev secret key file {path:?}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The cookie-signing key for `config`: from `config.secret_key`, or in dev mode from (or
/// into) the key file beside the database.
pub fn signing_key(config: &Config) -> Result<Key, SecretError> {
    let bytes = match (&config.secret_key, config.is_dev()) {
        (Some(key), _) => key.0.clone(),
        (None, true) => dev_key(&key_file(&config.database.url))?,
        (None, false) => return Err(SecretError::Missing),
    };
    if bytes.len() < MIN_KEY_BYTES {
        return Err(SecretError::TooShort(bytes.len()));
    }
    Ok(Key::from(&bytes))
}

/// `secret_key` in the directory of the database file (`data/` by default).
fn key_file(database_url: &str) -> PathBuf {
    let path = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    let dir = Path::new(path)
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty());
    dir.unwrap_or(Path::new("data")).join("secret_key")
}

/// Reads the dev key file, creating it (mode 0600) with a fresh random key when missing.
fn dev_key(path: &Path) -> Result<Vec<u8>, SecretError> {
    let file_error = |source| SecretError::File {
        path: path.to_owned(),
        source,
    };
    match fs::read(path) {
        Ok(bytes) => return Ok(bytes.trim_ascii().to_vec()),
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(file_error(err)),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(file_error)?;
    }
    let key: String = Key::generate()
        .master()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(file_error)?;
    file.write_all(key.as_bytes()).map_err(file_error)?;
    tracing::info!(path = %path.display(), "dev mode: generated a secret key");
    Ok(key.into_bytes())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::server::config::Mode;

    fn config(mode: Mode, key: Option<&str>, dir: &Path) -> Config {
        let mut config = Config {
            mode,
            secret_key: key.map(SecretKey::new),
            ..Config::default()
        };
        config.database.url = format!("sqlite://{}", dir.join("app.db").display());
        config
    }

    #[test]
    fn production_refuses_a_missing_or_short_key() {
        let dir = tempfile::tempdir().unwrap();
        let err = signing_key(&config(Mode::Production, None, dir.path())).unwrap_err();
        assert!(err.to_string().contains("SECRET_KEY is not set"), "{err}");
        let err = signing_key(&config(Mode::Production, Some("short"), dir.path())).unwrap_err();
        assert!(err.to_string().contains("5 bytes"), "{err}");
        assert!(signing_key(&config(Mode::Production, Some(&"k".repeat(64)), dir.path())).is_ok());
    }

    #[test]
    fn dev_mode_generates_one_private_key_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let dev = config(Mode::Dev, None, dir.path());
        let first = signing_key(&dev).unwrap();
        let file = dir.path().join("secret_key");
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(fs::read(&file).unwrap().len(), 128);
        let second = signing_key(&dev).unwrap();
        assert_eq!(first.master(), second.master());
    }

    #[test]
    fn the_key_never_prints() {
        let key = SecretKey::new("supersecret".repeat(10));
        assert!(!format!("{key:?}").contains("supersecret"));
    }
}
