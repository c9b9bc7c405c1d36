//! Start-up and shutdown of the server: settings, logs, database, sessions, router, and serving
//! until SIGINT or SIGTERM.

pub mod assets;
pub mod call;
pub mod client_ip;
pub mod compression;
pub mod config;
pub mod db;
pub mod fn_errors;
pub mod headers;
pub mod health;
pub mod overload;
pub mod page_body;
pub mod page_cache;
pub mod page_facts;
pub mod reactive_owner;
pub mod redirect;
pub mod router;
pub mod secret;
pub mod state;
pub mod telemetry;
pub mod unavailable;

use std::{net::SocketAddr, sync::Arc};

use leptos::prelude::LeptosOptions;
use tokio::{net::TcpListener, task::JoinHandle};

use self::{config::Config, state::AppState};
use crate::{
    auth::{password::Passwords, throttle::IpLimiter},
    flash::{FlashLimits, FlashStore},
    session,
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
    /// The expired-session sweeper, the event pruner, the database watcher and the rate
    /// limiter's clean-up, stopped after serving.
    background: Vec<JoinHandle<()>>,
}

impl Server {
    /// Opens the database, applies the migrations and builds the router for `config`.
    pub async fn build(
        config: Config,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        Self::build_with_routes(config, leptos_options, axum::Router::new()).await
    }

    /// Like [`Server::build`], with `extra` routes served inside the same middleware (sessions,
    /// flashes, logging) as the app's own: the place to add an endpoint of your own, and how
    /// the tests add one that is deliberately slow.
    pub async fn build_with_routes(
        config: Config,
        leptos_options: LeptosOptions,
        extra: axum::Router<AppState>,
    ) -> Result<Self, StartupError> {
        let cookie_keys = secret::cookie_keys(config.key_sources())?;
        let url = config.database.url.clone();
        let db_error = |source| StartupError::Database {
            url: url.clone(),
            source,
        };
        let pool = db::open(&config.database).await.map_err(db_error)?;
        sqlx::migrate!()
            .run(&pool)
            .await
            .map_err(|source| StartupError::Migrate {
                url: url.clone(),
                source,
            })?;
        let db_health = crate::db_health::DbHealth::new(pool.clone(), config.clock.clone());
        let watcher = db_health.spawn_watcher(crate::db_health::PROBE_EVERY);
        let lifetimes = session::Lifetimes::from_config(&config.session, config.clock.clone());
        let store = session::Store::new(pool.clone(), lifetimes.clone(), db_health.clone());
        let sweeper = session::spawn_sweeper(store.clone(), config.session.sweep_interval);
        let sessions = session::layer(store, &config, cookie_keys.current.clone());
        let flash = FlashStore::new(
            pool.clone(),
            FlashLimits {
                max_per_session: config.flash.max_per_session,
                max_message_chars: config.flash.max_message_chars,
            },
        );
        let passwords = Passwords::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
        )
        .map_err(|err| StartupError::Passwords(err.to_string()))?;
        let auth_limiter = IpLimiter::per_minute(config.auth.attempts_per_ip_per_minute);
        let pruner = crate::auth::events::spawn_pruner(
            pool.clone(),
            db_health.clone(),
            config.auth.events_retention,
            config.session.sweep_interval,
            config.clock.clone(),
        );
        let background = vec![sweeper, pruner, watcher, auth_limiter.spawn_cleaner()];
        let page_cache = page_cache::PageCache::new(
            router::cacheable_paths(),
            &[
                &config.session.cookie_name,
                crate::session::visitor::FLASH_COOKIE,
                crate::session::visitor::VALUES_COOKIE,
            ],
            config.is_dev(),
        );
        let state = AppState::new(state::Shared {
            page_cache,
            leptos_options,
            auth_limiter,
            login_attempts: Default::default(),
            pool,
            db_health,
            config: Arc::new(config),
            flash,
            passwords,
            lifetimes,
            cookie_keys,
        });
        let router = router::app(state.clone(), sessions, extra);
        Ok(Self {
            router,
            state,
            background,
        })
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
        self.state.pool.close().await;
        result
    }
}

/// The binary's entry point: settings, logs, build, bind, serve until a signal.
pub async fn run() -> Result<(), StartupError> {
    let config = Config::load()?;
    telemetry::init();
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|err| StartupError::Leptos(err.to_string()))?
        .leptos_options;
    leptos_options.site_addr = config.server.address;
    if !self::assets::use_build_names(&mut leptos_options) && !config.is_dev() {
        tracing::warn!(
            "static files have no content hashes in their names, so browsers must fetch them \
             again on every page: build with `LEPTOS_HASH_FILES=true cargo leptos build --release`"
        );
    }

    let address = config.server.address;
    let mode = config.mode;
    let grace = config.server.shutdown_grace;
    let server = Server::build(config, leptos_options).await?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| StartupError::Bind { address, source })?;
    tracing::info!(%address, %mode, "Flashboard listening on http://{address}");
    server.serve(listener, shutdown_signal(grace)).await?;
    tracing::info!("Flashboard stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. If requests are still running `grace` after the
/// signal, the process exits anyway.
async fn shutdown_signal(grace: std::time::Duration) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!(grace = ?grace, "shutting down: finishing in-flight requests");
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        tracing::warn!("requests still running after the shutdown grace period; exiting");
        std::process::exit(1);
    });
}
