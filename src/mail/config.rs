//! `[mail]`: where the app's mail goes, and the address its links point to.

use std::{path::PathBuf, time::Duration};

use serde::{Deserialize, Serialize};

/// `[mail]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// `outbox` (files in `outbox_dir`, nothing sent: dev, tests, and until SMTP is set up) or
    /// `smtp`.
    pub transport: Transport,
    /// The sender, e.g. `Flashboard <no-reply@example.com>`.
    pub from: String,
    /// Where the links in the mail point: the site's public origin, e.g.
    /// `https://flashboard.example.com`. Never taken from a request's `Host` header, which
    /// whoever asks for the mail could choose.
    pub base_url: String,
    /// The outbox folder (created when missing).
    pub outbox_dir: PathBuf,
    /// The SMTP server (with `transport = "smtp"`). Its user name and password come from the
    /// environment only: `SMTP_USERNAME`, `SMTP_PASSWORD`.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls` (upgrade on connecting, port 587), `tls` (TLS from the start, port 465) or
    /// `none` (plain text, for a relay on the same machine).
    pub smtp_security: SmtpSecurity,
    /// How long one delivery may take.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
}

/// Where mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Outbox,
    Smtp,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: Transport::Outbox,
            from: "Flashboard <no-reply@localhost>".to_owned(),
            base_url: "http://127.0.0.1:3000".to_owned(),
            outbox_dir: PathBuf::from("data/outbox"),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            timeout: Duration::from_secs(10),
        }
    }
}

impl MailConfig {
    /// Checks what the types cannot say; `Err` names the key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err((
                "mail.from",
                "must be an address, e.g. `Flashboard <no-reply@example.com>`".into(),
            ));
        }
        let base = url::Url::parse(&self.base_url).ok().filter(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host().is_some()
                && url.path() == "/"
                && url.query().is_none()
        });
        if base.is_none() {
            return Err((
                "mail.base_url",
                "must be an http or https origin without a path, e.g. `https://flashboard.example.com`"
                    .into(),
            ));
        }
        if self.transport == Transport::Smtp && self.smtp_host.is_empty() {
            return Err((
                "mail.smtp_host",
                "must be set with `transport = \"smtp\"`".into(),
            ));
        }
        if self.timeout < Duration::from_secs(1) {
            return Err(("mail.timeout", "must be at least 1s".into()));
        }
        Ok(())
    }
}
