//! From the settings, the secrets and any extra routes to a [`Server`] ready to serve
//! ([`ServerBuilder`]): the database opened and migrated, every part of the shared state made,
//! the background tasks started and the router wired; and serving it until told to stop.

use std::net::SocketAddr;

use leptos::prelude::LeptosOptions;
use tokio::{net::TcpListener, task::JoinHandle};

use super::{
    config::{self, Config},
    router,
    secret::{self, Secrets},
};
use crate::{
    auth::{password::Passwords, throttle::IpLimiter},
    db::{DatabaseConfig, Db},
    db_health::{self, DbHealth},
    flash::{FlashLimits, FlashStore},
    mail::{Mailer, SmtpCredentials, Transport as MailTransport},
    session,
    web::{
        page_cache::PageCache,
        state::{AppState, Shared},
    },
};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The settings are invalid; the message names the key.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The Leptos build settings (the `LEPTOS_*` environment cargo-leptos sets) are invalid.
    #[error("invalid Leptos build settings: {0}")]
    Leptos(String),
    /// The database could not be opened or migrated.
    #[error("cannot open the database {url}: {source}")]
    Database { url: String, source: sqlx::Error },
    /// The migrations could not be applied.
    #[error("cannot migrate the database {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    /// No usable secret key (production mode needs `SECRET_KEY`).
    #[error(transparent)]
    Secret(#[from] secret::SecretError),
    /// The mailer could not be set up (`[mail]`).
    #[error("cannot set up mail: {0}")]
    Mail(String),
    /// The password hasher could not be set up.
    #[error("cannot set up password hashing: {0}")]
    Passwords(String),
    /// The listening socket could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// A built, not yet serving app: the router plus the background tasks it needs.
pub struct Server {
    /// The complete router.
    pub router: axum::Router,
    /// The shared state (also reachable from inside the router).
    pub state: AppState,
    /// The expired-session sweeper, the event pruner (with the rate limiter's clean-up), the
    /// database watcher and (on SQLite) the WAL checkpointer, stopped after serving.
    background: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts building the app for `config`; see [`ServerBuilder`].
    pub fn builder(config: Config, leptos_options: LeptosOptions) -> ServerBuilder {
        ServerBuilder::new(config, leptos_options)
    }

    /// Serves on `listener` until `shutdown` completes, then lets in-flight requests finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Responses are written whole (see `page_body`); Nagle's algorithm would only hold back
        // the last segment of each one, waiting for an acknowledgement.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::warn!(error = %err, "could not set TCP_NODELAY");
            }
        });
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(StartupError::Serve);
        for task in &self.background {
            task.abort();
        }
        // Mail the users were told is on its way goes out before the database closes (for at
        // most the mail timeout and a little more; the shutdown grace ends the process anyway).
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(15),
            self.state.mailer.settled(),
        )
        .await;
        self.state.db.close().await;
        result
    }
}

/// Opens the database `config` names and applies the migrations that have not run (the same
/// at start-up and for `flashboard migrate`). Errors name the URL without its password.
pub async fn open_and_migrate(config: &DatabaseConfig) -> Result<Db, StartupError> {
    let url = config.url_for_display();
    let db = Db::open(config)
        .await
        .map_err(|source| StartupError::Database {
            url: url.clone(),
            source,
        })?;
    db.migrate_url(&config.url)
        .await
        .map_err(|source| StartupError::Migrate { url, source })?;
    Ok(db)
}

/// What a [`Server`] is built from. The secrets are handed over apart from the settings
/// (they come from the environment, never from the settings file).
pub struct ServerBuilder {
    config: Config,
    leptos_options: LeptosOptions,
    secrets: Secrets,
    smtp: Option<SmtpCredentials>,
    extra: axum::Router<AppState>,
}

impl ServerBuilder {
    fn new(config: Config, leptos_options: LeptosOptions) -> Self {
        Self {
            config,
            leptos_options,
            secrets: Secrets::default(),
            smtp: None,
            extra: axum::Router::new(),
        }
    }

    /// The SMTP user name and password (from the environment: `SMTP_USERNAME`,
    /// `SMTP_PASSWORD`), for `mail.transport = "smtp"`.
    pub fn smtp_credentials(mut self, credentials: Option<SmtpCredentials>) -> Self {
        self.smtp = credentials;
        self
    }

    /// The secrets the cookie keys are derived from (see [`secret::cookie_keys`]). Without
    /// any, only dev mode starts (with a generated key kept beside the database).
    pub fn secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// Routes served inside the same middleware (sessions, flashes, logging) as the app's own:
    /// the place to add an endpoint of your own, and how the tests add one that is
    /// deliberately slow.
    pub fn routes(mut self, extra: axum::Router<AppState>) -> Self {
        self.extra = extra;
        self
    }

    /// Opens the database, applies the migrations, starts the background tasks and builds the
    /// router.
    pub async fn build(self) -> Result<Server, StartupError> {
        let Self {
            config,
            leptos_options,
            secrets,
            smtp,
            extra,
        } = self;
        let dev_key_beside = config.is_dev().then_some(config.database.url.as_str());
        let cookie_keys = secret::cookie_keys(&secrets, dev_key_beside)?;
        let db = open_and_migrate(&config.database).await?;
        let db_health = DbHealth::new(db.clone(), config.clock.clone());
        let watcher = db_health.spawn_watcher(db_health::PROBE_EVERY);
        let lifetimes = session::Lifetimes::from_config(&config.session, config.clock.clone());
        let store = session::SessionStore::new(db.clone(), lifetimes.clone(), db_health.clone());
        let sweeper = session::spawn_sweeper(store.clone(), config.session.sweep_interval.get());
        let cookies = config.cookies();
        let sessions = session::layer(store, &cookies, cookie_keys.current.clone());
        let flash = FlashStore::new(
            db.clone(),
            FlashLimits {
                max_per_session: config.flash.max_per_session,
                max_message_chars: config.flash.max_message_chars,
            },
        );
        let passwords = Passwords::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
        )
        .map_err(|err| StartupError::Passwords(err.to_string()))?;
        let mailer = Mailer::new(&config.mail, smtp, config.clock.clone())
            .map_err(|err| StartupError::Mail(err.to_string()))?;
        if config.mail.transport == MailTransport::Outbox && !config.is_dev() {
            tracing::warn!(
                outbox = %config.mail.outbox_dir.display(),
                "mail (password reset links) is written to the outbox folder, not sent: set \
                 `mail.transport = \"smtp\"` and `mail.smtp_host`"
            );
        }
        let auth_limiter = IpLimiter::per_minute(config.auth.attempts_per_ip_per_minute);
        let pruner = crate::auth::events::spawn_pruner(
            db.clone(),
            db_health.clone(),
            config.auth.events_retention,
            config.session.sweep_interval.get(),
            config.clock.clone(),
        );
        let mut background = vec![sweeper, pruner, watcher];
        background.extend(db.spawn_checkpointer());
        let page_cache = PageCache::new(
            router::cacheable_paths(),
            &[
                &config.session.cookie_name,
                session::visitor::FLASH_COOKIE,
                session::visitor::VALUES_COOKIE,
            ],
            config.is_dev(),
        );
        let state = AppState::new(Shared {
            page_cache,
            leptos_options,
            auth_limiter,
            db,
            db_health,
            dev: config.is_dev(),
            trusted_proxies: config.server.trusted_proxies.clone(),
            cookies,
            flash,
            passwords,
            lifetimes,
            cookie_keys,
            mailer,
            migrated: std::sync::atomic::AtomicBool::new(false),
        });
        let router = router::app(state.clone(), &config.server, sessions, extra);
        Ok(Server {
            router,
            state,
            background,
        })
    }
}
