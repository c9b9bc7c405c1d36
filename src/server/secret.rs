//! The app's secret key, which signs the session cookie, and the older keys that still verify
//! cookies during a rotation.
//!
//! Taken from `SECRET_KEY`. In dev mode, when it is absent, a random key is generated once and
//! kept in `secret_key` beside the database file, readable by its owner only, so sessions
//! survive restarts. In production mode a missing key stops start-up.
//!
//! - **The whole secret counts.** The signing key is derived from every byte of the secret
//!   with HKDF-SHA256 (the cookie crate would take the first 32 bytes as they are: with
//!   `openssl rand -hex 64`, that is 32 hex characters, 128 bits).
//! - **A guessable secret is refused.** Its strength is estimated with zxcvbn (which knows
//!   words, names, repeats, sequences and keyboard patterns); under [`MIN_KEY_BITS`], start-up
//!   stops and says why.
//! - **Rotation.** `SECRET_KEY_PREVIOUS` holds one or more earlier secrets (separated by commas
//!   or new lines): cookies signed with them still verify, and are signed again with the
//!   current key on their next page (see [`crate::web::resign`]).
//!
//! Only the derived key verifies: a key taken from the secret's first 32 bytes as they are could
//! be as weak as a guessable prefix of a strong secret.

use std::{
    fs,
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use hkdf::Hkdf;
use sha2::Sha256;
use tower_sessions::cookie::Key;
use zxcvbn::matching::patterns::MatchPattern;

pub use crate::session::cookies::CookieKeys;

/// The environment variable that holds the key.
pub const SECRET_KEY_VAR: &str = "SECRET_KEY";
/// The environment variable that holds earlier keys, which still verify cookies.
pub const PREVIOUS_KEYS_VAR: &str = "SECRET_KEY_PREVIOUS";
/// The least estimated strength of a secret, in bits (what a signing key needs: an attacker
/// who could guess the secret could forge any session).
pub const MIN_KEY_BITS: u32 = 128;
/// The characters of a secret its strength is estimated from: zxcvbn's time grows fast with
/// length, and a longer secret only gets stronger.
const ESTIMATED_CHARS: usize = 100;
/// Characters per piece of a long word zxcvbn estimates separately (its estimates stop at
/// 2^64 guesses).
const CHUNK_CHARS: usize = 16;
/// Where zxcvbn's estimates stop: `u64::MAX` guesses.
const ZXCVBN_CAP_BITS: f64 = 63.9;
/// HKDF's salt and info: fixed, naming what the derived key is for.
const KEY_SALT: &[u8] = b"flashboard session cookie key v1";
const KEY_INFO: &[u8] = b"COOKIE;SIGNED:HMAC-SHA256;PRIVATE:AEAD-AES-256-GCM";
/// The key length the cookie crate's `Key::from` needs (signing and encryption halves).
const COOKIE_KEY_BYTES: usize = 64;

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

    /// The keys in `SECRET_KEY_PREVIOUS`, if set.
    pub fn previous_from_env() -> Vec<Self> {
        std::env::var_os(PREVIOUS_KEYS_VAR)
            .map(|value| Self::split(&value.into_encoded_bytes()))
            .unwrap_or_default()
    }

    /// Keys separated by commas or new lines (never part of a hex or base64 key), white space
    /// around each trimmed (a passphrase may have spaces inside).
    pub fn split(list: &[u8]) -> Vec<Self> {
        list.split(|byte| *byte == b',' || *byte == b'\n')
            .map(<[u8]>::trim_ascii)
            .filter(|key| !key.is_empty())
            .map(Self::new)
            .collect()
    }

    /// The signing key derived from the whole secret.
    fn derived(&self) -> Key {
        let mut okm = [0u8; COOKIE_KEY_BYTES];
        Hkdf::<Sha256>::new(Some(KEY_SALT), &self.0)
            .expand(KEY_INFO, &mut okm)
            .expect("64 bytes is a valid HKDF-SHA256 output length");
        Key::from(&okm)
    }

    /// An estimate of how many guesses would find this secret, in bits (rounded down): the
    /// least of three upper bounds, so that it never overstates.
    /// - zxcvbn's reading of the whole secret: it finds words, names, repeats, sequences,
    ///   dates and keyboard patterns (its estimates stop at 2^64 guesses, so an estimate that
    ///   high says only that it found nothing weaker);
    /// - the same reading for each word (split at white space, so that a phrase counts as the
    ///   words it is made of), or run of [`CHUNK_CHARS`] characters of a longer word, summed.
    ///
    /// A reading is zxcvbn's: the patterns it finds, each counted as the guesses zxcvbn gives
    /// it, and the runs between them, counted as the alphabet allows (zxcvbn itself counts 10
    /// guesses per character of no pattern, less than a random base64 character is worth).
    /// - what the secret's length allows in the smallest usual alphabet that holds it
    ///   (4 bits per hex digit, 6 per base64 character, 6.5 per printable ASCII character).
    pub fn estimated_bits(&self) -> u32 {
        let text = String::from_utf8_lossy(&self.0);
        let chars: Vec<char> = text.chars().take(ESTIMATED_CHARS).collect();
        if chars.is_empty() {
            return 0;
        }
        let per_char = if chars.iter().all(char::is_ascii_hexdigit) {
            4.0
        } else if chars
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || "+/-_=".contains(*c))
        {
            6.0
        } else if chars.iter().all(|c| c.is_ascii_graphic() || *c == ' ') {
            95f64.log2()
        } else {
            8.0
        };
        // zxcvbn's best reading of `chars` as patterns and runs of no pattern; each pattern
        // counted as zxcvbn guesses it, each run as the alphabet allows.
        let zxcvbn_bits = |chars: &[char]| {
            let text: String = chars.iter().collect();
            let estimate = zxcvbn::zxcvbn(&text, &[]);
            estimate
                .sequence()
                .iter()
                .map(|found| match found.pattern {
                    MatchPattern::BruteForce => per_char * found.token.chars().count() as f64,
                    _ => found
                        .guesses
                        .map_or(64.0, |guesses| (guesses as f64).log2()),
                })
                .sum::<f64>()
        };
        let whole = zxcvbn_bits(&chars);
        let whole = if whole >= ZXCVBN_CAP_BITS {
            f64::INFINITY
        } else {
            whole
        };
        let chunks: f64 = chars
            .split(|c| c.is_whitespace())
            .flat_map(|word| word.chunks(CHUNK_CHARS))
            .map(zxcvbn_bits)
            .sum();
        let alphabet = per_char * chars.len() as f64;
        whole.min(chunks).min(alphabet) as u32
    }

    /// Refuses a secret weaker than [`MIN_KEY_BITS`]; `name` says which one, for the message.
    fn check(&self, name: &str) -> Result<(), SecretError> {
        let bits = self.estimated_bits();
        if bits < MIN_KEY_BITS {
            return Err(SecretError::Weak {
                name: name.to_owned(),
                bits,
            });
        }
        Ok(())
    }
}

/// Why there is no usable key.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "{name} is too easy to guess for a signing key (about {bits} bits estimated, at least \
         {MIN_KEY_BITS} needed): use random bytes, e.g. `openssl rand -hex 32`"
    )]
    Weak { name: String, bits: u32 },
    #[error(
        "{SECRET_KEY_VAR} is not set; production mode needs a random key (e.g. \
         `export {SECRET_KEY_VAR}=$(openssl rand -hex 32)`), or run in dev mode \
         (FLASHBOARD_MODE=dev), which generates one"
    )]
    Missing,
    #[error("cannot read or create the dev secret key file {path:?}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The secrets the cookie keys come from: from the environment only, never from the settings
/// file, and handed to `Server::builder` apart from the settings.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// `SECRET_KEY`.
    pub current: Option<SecretKey>,
    /// `SECRET_KEY_PREVIOUS`, newest first.
    pub previous: Vec<SecretKey>,
}

impl Secrets {
    /// `SECRET_KEY` and `SECRET_KEY_PREVIOUS` from the environment.
    pub fn from_env() -> Self {
        Self {
            current: SecretKey::from_env(),
            previous: SecretKey::previous_from_env(),
        }
    }

    /// Only `current`, no previous secrets.
    pub fn new(current: SecretKey) -> Self {
        Self {
            current: Some(current),
            previous: Vec::new(),
        }
    }
}

/// The cookie keys: the current one from `secrets.current`, or (dev mode only, when
/// `dev_database_url` is given) from or into the key file beside that database; the older
/// ones from `secrets.previous`. Every secret must pass the strength check: an old secret that
/// could be guessed would forge cookies as well as the current one.
pub fn cookie_keys(
    secrets: &Secrets,
    dev_database_url: Option<&str>,
) -> Result<CookieKeys, SecretError> {
    let secret = match (&secrets.current, dev_database_url) {
        (Some(key), _) => key.clone(),
        (None, Some(database_url)) => SecretKey(dev_key(&key_file(database_url))?),
        (None, None) => return Err(SecretError::Missing),
    };
    secret.check(SECRET_KEY_VAR)?;
    let mut older = Vec::new();
    for (n, previous) in secrets.previous.iter().enumerate() {
        previous.check(&format!("{PREVIOUS_KEYS_VAR} (key {})", n + 1))?;
        older.push(previous.derived());
    }
    Ok(CookieKeys {
        current: secret.derived(),
        older,
    })
}

/// `secret_key` in the directory of the SQLite database file (`data/` by default, and with a
/// PostgreSQL database).
fn key_file(database_url: &str) -> PathBuf {
    if crate::db::Backend::of_url(database_url) != Some(crate::db::Backend::Sqlite) {
        return Path::new("data").join("secret_key");
    }
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
    // Written whole under a name of its own, then linked into place: an instance starting at
    // the same moment never reads a half-written key, and of two that race, the first link
    // wins and the other reads the winner's key.
    let mut draft = path.as_os_str().to_owned();
    draft.push(format!(".{}-{}.new", std::process::id(), &key[..8]));
    let draft = PathBuf::from(draft);
    let written = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&draft)?;
        file.write_all(key.as_bytes())?;
        file.sync_all()?;
        fs::hard_link(&draft, path)
    })();
    let _ = fs::remove_file(&draft);
    match written {
        Ok(()) => {
            tracing::info!(path = %path.display(), "dev mode: generated a secret key");
            Ok(key.into_bytes())
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(fs::read(path).map_err(file_error)?.trim_ascii().to_vec())
        }
        Err(err) => Err(file_error(err)),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::server::config::Mode;

    /// The cookie keys of `secrets` for an app in `mode` whose database is in `dir`.
    fn keys_of(secrets: &Secrets, mode: Mode, dir: &Path) -> Result<CookieKeys, SecretError> {
        let url = format!("sqlite://{}", dir.join("app.db").display());
        cookie_keys(secrets, (mode == Mode::Dev).then_some(url.as_str()))
    }

    fn only(key: Option<&str>) -> Secrets {
        Secrets {
            current: key.map(SecretKey::new),
            previous: Vec::new(),
        }
    }

    /// 64 random bytes as hex, as `openssl rand -hex 64` prints them.
    const HEX_KEY: &str = "8f2c1e9a4b7d3f6e0a5c8b2d9e1f4a7c3b6d0e9f2a5c8b1d4e7f0a3c6b9d2e5f\
                           1a4c7e0b3d6f9a2c5e8b1d4f7a0c3e6b9d2f5a8c1e4b7d0f3a6c9e2b5d8f1a4c";

    #[test]
    fn production_refuses_a_missing_or_guessable_key() {
        let dir = tempfile::tempdir().unwrap();
        let err = keys_of(&only(None), Mode::Production, dir.path()).unwrap_err();
        assert!(err.to_string().contains("SECRET_KEY is not set"), "{err}");
        for weak in [
            "short",
            &"k".repeat(64),
            &"abcd".repeat(20),
            "correct horse battery staple correct horse battery staple pass",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Summer2024!Summer2024!Summer2024!Summer2024!Summer2024!Summer2024",
            "the quick brown fox jumps over the lazy dog while my flashboard runs",
        ] {
            let err = keys_of(&only(Some(weak)), Mode::Production, dir.path()).unwrap_err();
            assert!(
                matches!(err, SecretError::Weak { .. }),
                "{weak:?} accepted: {err}"
            );
            assert!(err.to_string().contains("too easy to guess"), "{err}");
        }
        for strong in [
            HEX_KEY,
            &HEX_KEY[..64],
            "q3Vt9+Zx0Lr7YbN2kWc5HpJ8sFd1Ge4Ta6Mi0Ou3Ey8=",
        ] {
            assert!(
                keys_of(&only(Some(strong)), Mode::Production, dir.path()).is_ok(),
                "{strong} refused"
            );
        }
    }

    #[test]
    fn random_keys_of_192_bits_pass_in_hex_and_base64() {
        use base64::Engine;
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
        for _ in 0..40 {
            let bytes: [u8; 24] = rng.random();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let base64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            for key in [hex, base64] {
                let bits = SecretKey::new(key.as_str()).estimated_bits();
                assert!(bits >= MIN_KEY_BITS, "{key}: {bits} bits");
            }
        }
    }

    #[test]
    fn the_signing_key_depends_on_every_byte_of_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let mut changed = HEX_KEY.to_owned();
        changed.replace_range(127.., "d"); // the last hex digit only
        let a = keys_of(&only(Some(HEX_KEY)), Mode::Production, dir.path()).unwrap();
        let b = keys_of(&only(Some(&changed)), Mode::Production, dir.path()).unwrap();
        assert_ne!(a.current.signing(), b.current.signing());
        assert!(a.older.is_empty(), "no pre-derivation key is trusted");
    }

    #[test]
    fn previous_keys_verify_and_must_be_strong_too() {
        let dir = tempfile::tempdir().unwrap();
        let mut with_previous = only(Some(&HEX_KEY[..64]));
        with_previous.previous =
            SecretKey::split(format!("{HEX_KEY}, {}\n", &HEX_KEY[64..]).as_bytes());
        assert_eq!(with_previous.previous.len(), 2);
        let keys = keys_of(&with_previous, Mode::Production, dir.path()).unwrap();
        assert_eq!(keys.older.len(), 2);
        // A passphrase keeps its spaces.
        let phrase = SecretKey::split(b" one two three ,\nfour");
        assert_eq!(
            phrase,
            [SecretKey::new("one two three"), SecretKey::new("four")]
        );
        with_previous.previous.push(SecretKey::new("password"));
        let err = keys_of(&with_previous, Mode::Production, dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("SECRET_KEY_PREVIOUS (key 3)"), "{err}");
    }

    #[test]
    fn dev_mode_generates_one_private_key_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let dev = only(None);
        let first = keys_of(&dev, Mode::Dev, dir.path()).unwrap().current;
        let file = dir.path().join("secret_key");
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(fs::read(&file).unwrap().len(), 128);
        let second = keys_of(&dev, Mode::Dev, dir.path()).unwrap().current;
        assert_eq!(first.master(), second.master());
    }

    #[test]
    fn the_key_never_prints() {
        let key = SecretKey::new("supersecret".repeat(10));
        assert!(!format!("{key:?}").contains("supersecret"));
    }
}
