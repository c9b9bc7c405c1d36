//! The composition root: settings ([`config`]), the secret keys ([`secret`]), the router with
//! its middleware ([`router`]), building the app from them ([`Server`]), the binary's
//! start-up and shutdown ([`run`]), and the operator's subcommands ([`ops`]). Used by `main` and the tests only.

mod build;
pub mod config;
pub mod ops;
pub mod render;
pub mod router;
pub mod secret;

pub use self::build::{Server, ServerBuilder, StartupError, open_and_migrate};

use tokio::net::TcpListener;

use self::{config::Config, secret::Secrets};
use crate::web::{assets, telemetry};

/// `flashboard migrate`: applies the migrations that have not run to the database the settings
/// name, and exits (for deployments that migrate before rolling out). Starting the server
/// applies them too.
pub async fn migrate() -> Result<(), StartupError> {
    let config = Config::load()?;
    telemetry::init(config.log.format);
    let db = open_and_migrate(&config.database).await?;
    db.close().await;
    tracing::info!(url = %config.database.url_for_display(), "database migrated");
    Ok(())
}

/// The binary's entry point: settings, logs, build, bind, serve until a signal.
pub async fn run() -> Result<(), StartupError> {
    let config = Config::load()?;
    telemetry::init(config.log.format);
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|err| StartupError::Leptos(err.to_string()))?
        .leptos_options;
    leptos_options.site_addr = config.server.address;
    if !assets::use_build_names(&mut leptos_options) && !config.is_dev() {
        tracing::warn!(
            "static files have no content hashes in their names, so browsers must fetch them \
             again on every page: build with `LEPTOS_HASH_FILES=true cargo leptos build --release`"
        );
    }

    let address = config.server.address;
    let metrics_address = config.server.metrics_address;
    let mode = config.mode;
    let grace = config.server.shutdown_grace;
    let server = Server::builder(config, leptos_options)
        .secrets(Secrets::from_env())
        .smtp_credentials(
            crate::mail::SmtpCredentials::from_env()
                .map_err(|why| StartupError::Mail(why.to_owned()))?,
        )
        .build()
        .await?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| StartupError::Bind { address, source })?;
    if let Some(address) = metrics_address {
        let metrics = TcpListener::bind(address)
            .await
            .map_err(|source| StartupError::Bind { address, source })?;
        let router = crate::web::metrics::router(server.state.clone());
        tokio::spawn(async move {
            if let Err(err) = axum::serve(metrics, router).await {
                tracing::warn!(error = %err, "the metrics endpoint stopped");
            }
        });
        tracing::info!(%address, "metrics at http://{address}/metrics");
    }
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
