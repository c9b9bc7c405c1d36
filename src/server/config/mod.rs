//! Runtime settings: what they are, where they come from, and the rules between them.
//!
//! Read once at start-up from `Leptos.toml` (or the file named by `FLASHBOARD_CONFIG`), then
//! overridden by environment variables: `FLASHBOARD_MODE`, and `FLASHBOARD_<SECTION>__<KEY>` for
//! the keys of a section, e.g. `FLASHBOARD_SERVER__ADDRESS=0.0.0.0:8080`. Built-in defaults are
//! the production-safe ones; `mode = "dev"` is the explicit switch for plain-HTTP localhost.
//!
//! An unknown key or an invalid value stops start-up with a message that names the key and the
//! place it came from (see [`ConfigError`]).

use std::{
    fmt,
    net::SocketAddr,
    num::{NonZeroU32, NonZeroUsize},
    path::PathBuf,
    time::Duration,
};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

mod error;
pub mod report;

pub use self::error::{ConfigError, env_var};
use crate::session::cookies::CookieSettings;
pub use crate::{
    db::DatabaseConfig,
    mail::MailConfig,
    session::config::{SameSite, SessionConfig},
    web::telemetry::LogConfig,
};

/// The environment variable that names another settings file.
pub const CONFIG_FILE_VAR: &str = "FLASHBOARD_CONFIG";
/// The settings file read when [`CONFIG_FILE_VAR`] is not set (a missing one is not an error).
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";
/// The prefix of every environment variable that overrides a setting.
pub const ENV_PREFIX: &str = "FLASHBOARD_";

/// All settings of the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `production` (the default) or `dev`. Dev mode only relaxes what plain-HTTP localhost needs.
    pub mode: Mode,
    /// The HTTP server.
    pub server: ServerConfig,
    /// The SQLite database that holds users and sessions.
    pub database: DatabaseConfig,
    /// The session cookie and the server-side session records.
    pub session: SessionConfig,
    /// Limits of the flash message queue.
    pub flash: FlashConfig,
    /// Throttling of the log-in and registration endpoints.
    pub auth: AuthConfig,
    /// Where the app's mail (password reset links) goes.
    pub mail: MailConfig,
    /// How log lines are written.
    pub log: LogConfig,
    /// The clock session lifetimes, log-in times and throttling are measured by: the system's;
    /// tests set a manual one. Not a setting.
    #[serde(skip)]
    pub clock: crate::clock::Clock,
}

/// Production or development.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every protection on: `Secure` cookies, no generated secrets.
    Production,
    /// For `cargo leptos watch` on `http://127.0.0.1`: cookies without `Secure`.
    Dev,
}

/// `[server]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The socket address to listen on, e.g. `127.0.0.1:3000` or `0.0.0.0:8080`.
    pub address: SocketAddr,
    /// How long in-flight requests may take to finish after SIGINT/SIGTERM, e.g. `10s`.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed (the client IP is otherwise the
    /// socket's peer), e.g. `["127.0.0.1"]` behind a local nginx.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long one request may take before it is answered `503` (and its work dropped), e.g.
    /// `30s`.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Requests handled at once; one more is answered `503` with `Retry-After` at once instead
    /// of queueing behind them.
    pub max_in_flight: NonZeroUsize,
    /// Where `GET /metrics` (Prometheus) is served, e.g. `127.0.0.1:9100`: an address of its
    /// own, never the public one. Unset: no metrics endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_address: Option<SocketAddr>,
}

/// `[auth]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Log-in and registration posts allowed per client IP per minute (bursts up to this many).
    pub attempts_per_ip_per_minute: NonZeroU32,
    /// How long the auth event log keeps an event, e.g. `90days`.
    #[serde(with = "humantime_serde")]
    pub events_retention: Duration,
}

/// `[flash]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlashConfig {
    /// Flashes kept per session; one more drops the oldest.
    pub max_per_session: NonZeroU32,
    /// Characters kept per message; a longer one is cut.
    pub max_message_chars: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Production,
            server: ServerConfig {
                address: SocketAddr::from(([127, 0, 0, 1], 3000)),
                shutdown_grace: Duration::from_secs(10),
                trusted_proxies: Vec::new(),
                request_timeout: Duration::from_secs(30),
                max_in_flight: NonZeroUsize::new(1024).unwrap(),
                metrics_address: None,
            },
            database: DatabaseConfig::default(),
            session: SessionConfig::default(),
            flash: FlashConfig {
                max_per_session: NonZeroU32::new(20).unwrap(),
                max_message_chars: 500,
            },
            auth: AuthConfig {
                attempts_per_ip_per_minute: NonZeroU32::new(30).unwrap(),
                events_retention: Duration::from_secs(90 * 24 * 3600),
            },
            mail: MailConfig::default(),
            log: LogConfig::default(),
            clock: crate::clock::Clock::system(),
        }
    }
}

/// The most `flash.max_per_session` may be.
const MAX_FLASHES_PER_SESSION: u32 = 1000;

impl Config {
    /// Reads the settings the way the server does at start-up: defaults, then the settings file,
    /// then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        Self::from_figment(Self::sources()?)
    }

    /// Where the settings come from, in order (each overriding the one before): the defaults,
    /// the settings file if there is one, the environment. [`report`] reads from it where each
    /// value came from.
    pub(crate) fn sources() -> Result<Figment, ConfigError> {
        let (path, required) = match std::env::var_os(CONFIG_FILE_VAR) {
            Some(path) => (PathBuf::from(path), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if path.is_file() {
            figment = figment.merge(Toml::file_exact(&path));
        } else if required {
            return Err(ConfigError::MissingFile(path));
        }
        // Not settings: `FLASHBOARD_CONFIG` names the file; `FLASHBOARD_TEST_POSTGRES_URL` is
        // the tests' PostgreSQL server, exported by `scripts/test` to the servers it starts.
        let env = Env::prefixed(ENV_PREFIX).ignore(&["config", "test_postgres_url"]);
        Ok(figment.merge(env.split("__")))
    }

    /// Reads settings from TOML text over the defaults, without the environment. For tests and
    /// for checking a settings file.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(text)),
        )
    }

    pub(crate) fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(ConfigError::from_figment)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what the types cannot say: ranges, formats, and the rules between values.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, why: &str| {
            Err(ConfigError::Invalid {
                key: key.to_owned(),
                why: why.to_owned(),
            })
        };
        if crate::db::Backend::of_url(&self.database.url).is_none() {
            return invalid(
                "database.url",
                "must be an SQLite URL such as `sqlite://data/flashboard.db` or a PostgreSQL URL \
                 such as `postgres://user:password@host:5432/flashboard`",
            );
        }
        if self.database.statement_timeout < Duration::from_millis(1) {
            return invalid("database.statement_timeout", "must be at least 1ms");
        }
        if self.server.request_timeout < Duration::from_millis(1) {
            return invalid("server.request_timeout", "must be at least 1ms");
        }
        // Far above what one server handles; tokio's semaphore refuses much larger counts.
        if self.server.max_in_flight.get() > 1_000_000 {
            return invalid("server.max_in_flight", "must be at most 1000000");
        }
        let name = &self.session.cookie_name;
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return invalid(
                "session.cookie_name",
                "must be a non-empty cookie token (letters, digits and !#$%&'*+-.^_`|~)",
            );
        }
        if name.starts_with("__Host-") || name.starts_with("__Secure-") {
            return invalid(
                "session.cookie_name",
                "must not carry a `__Host-`/`__Secure-` prefix: `__Host-` is added when the cookie is secure",
            );
        }
        if !self.is_dev() && self.session.secure == Some(false) {
            return invalid(
                "session.secure",
                "may be false only in dev mode (`mode = \"dev\"`): a production session cookie must be HTTPS-only",
            );
        }
        if !self.is_dev() && !self.session.http_only {
            return invalid(
                "session.http_only",
                "may be false only in dev mode: scripts must not read the session cookie",
            );
        }
        if self.session.same_site == SameSite::None && !self.cookie_secure() {
            return invalid(
                "session.same_site",
                "`none` needs a secure cookie (browsers drop `SameSite=None` without `Secure`)",
            );
        }
        // The per-account throttle reads the last hour of failed log-ins.
        if self.auth.events_retention < Duration::from_secs(3600) {
            return invalid("auth.events_retention", "must be at least 1h");
        }
        // A log-in carries the waiting flashes over in one statement, three values each, and
        // SQLite takes at most 32,766 values per statement.
        if self.flash.max_per_session.get() > MAX_FLASHES_PER_SESSION {
            return invalid("flash.max_per_session", "must be at most 1000");
        }
        if self.flash.max_message_chars < 16 {
            return invalid("flash.max_message_chars", "must be at least 16");
        }
        if self.server.metrics_address == Some(self.server.address) {
            return invalid(
                "server.metrics_address",
                "must differ from `server.address`: the metrics are not for the public",
            );
        }
        if let Err((key, why)) = self.mail.validate() {
            return invalid(key, &why);
        }
        Ok(())
    }

    /// Whether the app runs in the explicit development mode.
    pub fn is_dev(&self) -> bool {
        self.mode == Mode::Dev
    }

    /// The app's cookies as these settings make them (see [`CookieSettings`]).
    pub fn cookies(&self) -> CookieSettings {
        CookieSettings::new(&self.session, self.is_dev())
    }

    /// Whether the session cookie is `Secure`: as set, else on except in dev mode.
    pub fn cookie_secure(&self) -> bool {
        self.cookies().secure
    }

    /// The session cookie's name as the browser sees it (see [`CookieSettings::name`]).
    pub fn cookie_name(&self) -> String {
        self.cookies().session_cookie()
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Production => "production",
            Mode::Dev => "dev",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_production() {
        let config = Config::from_toml("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.mode, Mode::Production);
    }

    #[test]
    fn the_shipped_settings_file_states_the_defaults() {
        let shipped = Config::from_toml(include_str!("../../../Leptos.toml")).unwrap();
        assert_eq!(shipped, Config::default());
    }

    #[test]
    fn file_values_override_defaults() {
        let config = Config::from_toml(
            "mode = \"dev\"\n[server]\naddress = \"0.0.0.0:8080\"\n[session]\nidle_timeout = \"5m\"\n",
        )
        .unwrap();
        assert!(config.is_dev());
        assert_eq!(config.server.address.port(), 8080);
        assert_eq!(config.session.idle_timeout.get(), Duration::from_secs(300));
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = Config::from_toml("[database]\nmax_connections = \"many\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`database.max_connections`"), "{msg}");
    }

    #[test]
    fn bad_address_names_the_key() {
        let err = Config::from_toml("[server]\naddress = \"localhost\"\n").unwrap_err();
        assert!(err.to_string().contains("`server.address`"), "{err}");
    }

    #[test]
    fn unknown_key_is_refused() {
        let err = Config::from_toml("[session]\nidle_timout = \"5m\"\n").unwrap_err();
        assert!(err.to_string().contains("idle_timout"), "{err}");
    }

    #[test]
    fn unknown_mode_is_refused() {
        let err = Config::from_toml("mode = \"staging\"\n").unwrap_err();
        assert!(err.to_string().contains("`mode`"), "{err}");
    }

    #[test]
    fn zero_counts_and_periods_cannot_be_set() {
        for (toml, key) in [
            (
                "[database]\nmax_connections = 0\n",
                "`database.max_connections`",
            ),
            ("[server]\nmax_in_flight = 0\n", "`server.max_in_flight`"),
            (
                "[auth]\nattempts_per_ip_per_minute = 0\n",
                "`auth.attempts_per_ip_per_minute`",
            ),
            ("[flash]\nmax_per_session = 0\n", "`flash.max_per_session`"),
            (
                "[session]\nidle_timeout = \"0s\"\n",
                "`session.idle_timeout`",
            ),
            (
                "[session]\nsweep_interval = \"500ms\"\n",
                "`session.sweep_interval`",
            ),
        ] {
            let err = Config::from_toml(toml).unwrap_err().to_string();
            assert!(err.contains(key), "{toml}: {err}");
        }
        let err = Config::from_toml("[session]\nabsolute_timeout = \"0s\"\n").unwrap_err();
        assert!(err.to_string().contains("must be at least 1s"), "{err}");
    }

    #[test]
    fn rule_violations_name_the_key() {
        let err = Config::from_toml("[database]\nurl = \"mysql://x\"\n").unwrap_err();
        assert!(err.to_string().contains("`database.url`"), "{err}");
        assert!(Config::from_toml("[database]\nurl = \"postgres://x\"\n").is_ok());
        let err = Config::from_toml("[session]\ncookie_name = \"a b\"\n").unwrap_err();
        assert!(err.to_string().contains("`session.cookie_name`"), "{err}");
        let err = Config::from_toml("[flash]\nmax_per_session = 1001\n").unwrap_err();
        assert!(err.to_string().contains("at most 1000"), "{err}");
        let err = Config::from_toml("[server]\nmax_in_flight = 0\n").unwrap_err();
        assert!(err.to_string().contains("`server.max_in_flight`"), "{err}");
        let err = Config::from_toml("[server]\nmax_in_flight = 2000000\n");
        assert!(err.unwrap_err().to_string().contains("at most 1000000"));
        let err = Config::from_toml("[server]\nrequest_timeout = \"0s\"\n").unwrap_err();
        assert!(
            err.to_string().contains("`server.request_timeout`"),
            "{err}"
        );
        let ok = Config::from_toml("[server]\nrequest_timeout = \"5s\"\nmax_in_flight = 64\n");
        assert_eq!(ok.unwrap().server.max_in_flight.get(), 64);
    }

    #[test]
    fn cookie_flags_are_production_safe_unless_dev() {
        let production = Config::from_toml("").unwrap();
        assert!(production.cookie_secure());
        assert!(production.session.http_only);
        assert_eq!(production.session.same_site, SameSite::Lax);
        assert_eq!(production.cookie_name(), "__Host-flashboard_session");

        let dev = Config::from_toml("mode = \"dev\"\n").unwrap();
        assert!(!dev.cookie_secure());
        assert!(dev.session.http_only, "dev relaxes only Secure");
        assert_eq!(dev.cookie_name(), "flashboard_session");

        let dev_secure = Config::from_toml("mode = \"dev\"\n[session]\nsecure = true\n").unwrap();
        assert_eq!(dev_secure.cookie_name(), "__Host-flashboard_session");
    }

    #[test]
    fn production_refuses_relaxed_cookies() {
        for (toml, key) in [
            ("[session]\nsecure = false\n", "`session.secure`"),
            ("[session]\nhttp_only = false\n", "`session.http_only`"),
            (
                "mode = \"dev\"\n[session]\nsame_site = \"none\"\n",
                "`session.same_site`",
            ),
            (
                "[session]\ncookie_name = \"__Host-x\"\n",
                "`session.cookie_name`",
            ),
            (
                "[session]\nabsolute_timeout = \"0s\"\n",
                "`session.absolute_timeout`",
            ),
        ] {
            let err = Config::from_toml(toml).unwrap_err().to_string();
            assert!(err.contains(key), "{toml}: {err}");
        }
        let dev = Config::from_toml("mode = \"dev\"\n[session]\nhttp_only = false\n").unwrap();
        assert!(!dev.session.http_only);
    }
}

#[cfg(test)]
mod env_tests {
    //! `Config::load` against a real settings file and real environment variables, inside a
    //! figment `Jail` (a temporary working directory and environment, one test at a time).
    #![allow(clippy::result_large_err)] // figment's `Jail` closures return its large error type.
    use super::*;
    use figment::Jail;

    #[test]
    fn environment_overrides_the_file() {
        Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "[server]\naddress = \"127.0.0.1:4000\"\n")?;
            assert_eq!(Config::load().unwrap().server.address.port(), 4000);
            jail.set_env("FLASHBOARD_SERVER__ADDRESS", "127.0.0.1:5000");
            jail.set_env("FLASHBOARD_MODE", "dev");
            let config = Config::load().unwrap();
            assert_eq!(config.server.address.port(), 5000);
            assert!(config.is_dev());
            Ok(())
        });
    }

    #[test]
    fn invalid_environment_value_names_key_and_variable() {
        Jail::expect_with(|jail| {
            jail.set_env("FLASHBOARD_DATABASE__MAX_CONNECTIONS", "lots");
            let msg = Config::load().unwrap_err().to_string();
            assert!(msg.contains("`database.max_connections`"), "{msg}");
            assert!(
                msg.contains("FLASHBOARD_DATABASE__MAX_CONNECTIONS"),
                "{msg}"
            );
            Ok(())
        });
    }

    #[test]
    fn named_settings_file_must_exist() {
        Jail::expect_with(|jail| {
            jail.set_env(CONFIG_FILE_VAR, "nope.toml");
            let msg = Config::load().unwrap_err().to_string();
            assert!(msg.contains("nope.toml"), "{msg}");
            Ok(())
        });
    }

    #[test]
    fn broken_toml_names_the_file() {
        Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "[server\n")?;
            let msg = Config::load().unwrap_err().to_string();
            assert!(msg.contains("Leptos.toml"), "{msg}");
            Ok(())
        });
    }
}
