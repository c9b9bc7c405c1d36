//! Shared helpers for the HTTP tests: a real server on a free port with a fresh SQLite file.
#![allow(dead_code)] // Each test file uses its own subset of these helpers.

use flashboard::server::{
    Server,
    config::{Config, Mode},
};
use leptos::prelude::LeptosOptions;
use tokio::{net::TcpListener, sync::oneshot};

/// A running app. Dropping it stops the server and removes its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// The settings it runs with.
    pub config: Config,
    /// A client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
    pub pool: sqlx::SqlitePool,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

impl TestApp {
    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `GET path` with this app's client.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET failed")
    }

    /// A new client with its own (empty) cookie jar: another browser.
    pub fn new_client(&self) -> reqwest::Client {
        client()
    }
}

/// Settings for a test: dev mode (plain HTTP), a database in `dir`.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config {
        mode: Mode::Dev,
        ..Config::default()
    };
    config.database.url = format!("sqlite://{}", dir.join("flashboard.db").display());
    config
}

/// Starts the app with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app with test settings changed by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    adjust(&mut config);
    let options = LeptosOptions::builder()
        .output_name("flashboard")
        .site_root("target/site")
        .build();
    let server = Server::build(config.clone(), options)
        .await
        .expect("server builds");
    let pool = server.state.pool.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    TestApp {
        base_url,
        config,
        client: client(),
        pool,
        _dir: dir,
        _stop: stop,
    }
}

/// A cookie-keeping client that reports redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
