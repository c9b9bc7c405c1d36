//! `flashboard check-config`: the effective settings, each with the place its value came from
//! (the built-in default, the settings file, or the environment variable), secrets masked; and
//! whether the secret key the server needs is there and strong enough.

use std::fmt;

use figment::{
    Figment, Source,
    value::{Dict, Value},
};

use super::{Config, ConfigError, env_var};
use crate::server::secret::{self, SECRET_KEY_VAR, SecretError, Secrets};

/// One setting as it takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// `section.key`, e.g. `server.address`.
    pub key: String,
    /// The value as TOML would write it; a secret part is masked.
    pub value: String,
    /// Where the value came from, e.g. `default`, `file Leptos.toml`, `environment variable
    /// FLASHBOARD_SERVER__ADDRESS`.
    pub source: String,
}

/// The effective settings and where each came from, read as the server reads them at start-up.
pub struct Report {
    pub config: Config,
    pub settings: Vec<Setting>,
    /// What is known of `SECRET_KEY` (never its value).
    pub secret_key: String,
    /// Whether the SMTP user name and password are set (never their values).
    pub smtp_credentials: &'static str,
}

impl Report {
    /// Reads the settings (defaults, file, environment) and the secrets from the environment.
    /// Fails as start-up would: on an invalid setting, and on a missing or weak secret key in
    /// production mode.
    pub fn load(secrets: &Secrets) -> Result<Self, ReportError> {
        let figment = Config::sources()?;
        let config = Config::from_figment(figment.clone())?;
        let mut settings = Vec::new();
        let tree = Value::serialize(&config).map_err(|err| {
            ConfigError::Parse(vec![format!("cannot read the settings back: {err}")])
        })?;
        if let Some(dict) = tree.into_dict() {
            flatten("", &dict, &mut |key, value| {
                settings.push(Setting {
                    source: source_of(&figment, &key),
                    value: masked(&key, value, &config),
                    key,
                });
            });
        }
        let secret_key = match (&secrets.current, config.is_dev()) {
            (Some(_), _) => {
                secret::cookie_keys(secrets, None)?;
                let previous = secrets.previous.len();
                format!("set (masked; strong enough), {previous} previous key(s)")
            }
            (None, true) => "not set: dev mode keeps a generated key beside the database".into(),
            (None, false) => return Err(SecretError::Missing.into()),
        };
        // As the server reads them: both, or neither.
        let smtp_credentials = match crate::mail::SmtpCredentials::from_env() {
            Ok(Some(_)) => "set (masked)",
            Ok(None) => "not set (mail is sent without logging in to the SMTP server)",
            Err(_) => return Err(ReportError::SmtpHalf),
        };
        Ok(Self {
            config,
            settings,
            secret_key,
            smtp_credentials,
        })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.settings.iter().map(|s| s.key.len()).max().unwrap_or(0);
        let value_width = self
            .settings
            .iter()
            .map(|s| s.value.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for setting in &self.settings {
            writeln!(
                f,
                "{:width$} = {:value_width$}  # {}",
                setting.key, setting.value, setting.source
            )?;
        }
        writeln!(f, "{SECRET_KEY_VAR}: {}", self.secret_key)?;
        writeln!(f, "SMTP_USERNAME, SMTP_PASSWORD: {}", self.smtp_credentials)
    }
}

/// Why `check-config` found the settings unusable.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("only one of SMTP_USERNAME and SMTP_PASSWORD is set: set both, or neither")]
    SmtpHalf,
}

/// Calls `each` with every leaf of `dict` and its dotted key, in the order serde wrote them.
fn flatten(prefix: &str, dict: &Dict, each: &mut impl FnMut(String, &Value)) {
    for (name, value) in dict {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            Value::Dict(_, inner) => flatten(&key, inner, each),
            leaf => each(key, leaf),
        }
    }
}

/// Where the value of `key` came from.
fn source_of(figment: &Figment, key: &str) -> String {
    let Some(metadata) = figment.find_metadata(key) else {
        return "default".to_owned();
    };
    match &metadata.source {
        Some(Source::File(path)) => format!("file {}", path.display()),
        _ if metadata.name.contains("environment") => {
            format!("environment variable {}", env_var(key))
        }
        _ => "default".to_owned(),
    }
}

/// `value` as TOML writes it, with the password of a database URL masked.
fn masked(key: &str, value: &Value, config: &Config) -> String {
    if key == "database.url" {
        return format!("{:?}", config.database.url_for_display());
    }
    toml_value(value)
}

fn toml_value(value: &Value) -> String {
    match value {
        Value::String(_, text) => format!("{text:?}"),
        Value::Char(_, c) => format!("{:?}", c.to_string()),
        Value::Bool(_, b) => b.to_string(),
        Value::Num(_, n) => n
            .to_u128()
            .map(|n| n.to_string())
            .or_else(|| n.to_i128().map(|n| n.to_string()))
            .or_else(|| n.to_f64().map(|n| n.to_string()))
            .unwrap_or_default(),
        Value::Empty(..) => "(unset)".to_owned(),
        Value::Array(_, items) => {
            let items: Vec<String> = items.iter().map(toml_value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Dict(..) => "{...}".to_owned(),
    }
}
