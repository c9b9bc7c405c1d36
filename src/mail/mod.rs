//! Mail: the messages the app sends (a password reset link) and where they go: an SMTP server
//! (lettre), or the outbox folder ([`Outbox`]: files, listed at `/dev/mailbox` in dev mode and
//! read by the tests), so every flow runs with no mail server. Sending happens in the
//! background ([`Mailer::in_background`]): the request that asked for a mail answers at once, and
//! the same whether a mail went or not.

mod config;
mod outbox;

use std::sync::{
    Arc,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use serde::{Deserialize, Serialize};

pub use self::{
    config::{MailConfig, SmtpSecurity, Transport},
    outbox::{Outbox, Stored},
};
use crate::clock::Clock;

/// One mail: plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// The SMTP user name and password: from the environment only (`SMTP_USERNAME`,
/// `SMTP_PASSWORD`), never from the settings file. Its `Debug` hides the password.
#[derive(Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: String,
}

impl SmtpCredentials {
    /// `SMTP_USERNAME` and `SMTP_PASSWORD`: both, or neither (`None`); one alone is a mistake,
    /// told in the error.
    pub fn from_env() -> Result<Option<Self>, &'static str> {
        match (
            std::env::var("SMTP_USERNAME"),
            std::env::var("SMTP_PASSWORD"),
        ) {
            (Ok(username), Ok(password)) => Ok(Some(Self { username, password })),
            (Err(_), Err(_)) => Ok(None),
            _ => Err(
                "only one of SMTP_USERNAME and SMTP_PASSWORD is set (or one is not UTF-8): set both, or neither",
            ),
        }
    }
}

impl std::fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Why a mail could not be sent (or the mailer set up).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("cannot write to the outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// Sends mail. Cheap to clone; share one per app.
#[derive(Clone)]
pub struct Mailer(Arc<Inner>);

struct Inner {
    from: Mailbox,
    /// `mail.base_url`, which links point to.
    base_url: String,
    delivery: Delivery,
    clock: Clock,
    /// Mails delivered, and failed, since start-up; sends still running in the background.
    sent: AtomicU64,
    failed: AtomicU64,
    running: AtomicUsize,
    settled: tokio::sync::Notify,
}

enum Delivery {
    Outbox(Outbox),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// A mailer as `config` says (see [`MailConfig`]); `credentials` log in to the SMTP server.
    pub fn new(
        config: &MailConfig,
        credentials: Option<SmtpCredentials>,
        clock: Clock,
    ) -> Result<Self, MailError> {
        let from: Mailbox = config.from.parse()?;
        let delivery = match config.transport {
            Transport::Outbox => Delivery::Outbox(Outbox::new(&config.outbox_dir)),
            Transport::Smtp => {
                let host = config.smtp_host.as_str();
                let mut builder = match config.smtp_security {
                    SmtpSecurity::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    }
                }
                .port(config.smtp_port)
                .timeout(Some(config.timeout));
                if let Some(credentials) = credentials {
                    builder = builder
                        .credentials(Credentials::new(credentials.username, credentials.password));
                }
                Delivery::Smtp(builder.build())
            }
        };
        Ok(Self(Arc::new(Inner {
            from,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            delivery,
            clock,
            sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            running: AtomicUsize::new(0),
            settled: tokio::sync::Notify::new(),
        })))
    }

    /// The absolute URL of `path_and_query` (starting with `/`) on the site, for a link in a
    /// mail (`mail.base_url`, never the request's `Host`).
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.0.base_url)
    }

    /// The outbox, when mail goes there.
    pub fn outbox(&self) -> Option<&Outbox> {
        match &self.0.delivery {
            Delivery::Outbox(outbox) => Some(outbox),
            Delivery::Smtp(_) => None,
        }
    }

    /// Sends `mail` now.
    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let message = Message::builder()
            .from(self.0.from.clone())
            .to(mail.to.parse()?)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text.clone())?;
        match &self.0.delivery {
            Delivery::Outbox(outbox) => {
                let stored = Stored {
                    at: self.0.clock.now_unix(),
                    raw: String::from_utf8_lossy(&message.formatted()).into_owned(),
                    mail,
                };
                outbox.put(&stored).await?;
            }
            Delivery::Smtp(transport) => {
                transport.send(message).await?;
            }
        }
        self.0.sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Runs `job` (which prepares and sends mail) in the background, so that the request that
    /// asked for it answers at once, and alike whatever the job finds. A failure is logged
    /// (with `what`, never a mail's words, which may carry a link that opens an account) and
    /// counted.
    pub fn in_background<F, E>(&self, what: &'static str, job: F)
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display,
    {
        /// Counts the job as done when dropped, even by a panic, so `settled` never waits for
        /// a job that is gone.
        struct Running(Mailer);
        impl Drop for Running {
            fn drop(&mut self) {
                if self.0.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
                    self.0.0.settled.notify_waiters();
                }
            }
        }
        self.0.running.fetch_add(1, Ordering::SeqCst);
        let running = Running(self.clone());
        tokio::spawn(async move {
            let running = running;
            if let Err(err) = job.await {
                running.0.0.failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %err, what, "mail could not be sent");
            }
        });
    }

    /// Waits until no mail job runs in the background (for tests).
    pub async fn settled(&self) {
        loop {
            let notified = self.0.settled.notified();
            if self.0.running.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Mails delivered since start-up.
    pub fn sent(&self) -> u64 {
        self.0.sent.load(Ordering::Relaxed)
    }

    /// Mails that could not be delivered since start-up.
    pub fn failed(&self) -> u64 {
        self.0.failed.load(Ordering::Relaxed)
    }
}
