//! Shared helpers for the HTTP tests: a real server on a free port with a fresh database (an
//! SQLite file, or a PostgreSQL database when `FLASHBOARD_TEST_POSTGRES_URL` is set: see
//! `backend`).
#![allow(dead_code)] // Each test file uses its own subset of these helpers.

pub mod backend;

use flashboard::server::{
    Server,
    config::{Config, Mode},
    secret::Secrets,
};
use leptos::prelude::LeptosOptions;
use tokio::{net::TcpListener, sync::oneshot};

/// A running app. Dropping it stops the server and removes its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// The settings it runs with.
    pub config: Config,
    /// A client that keeps cookies (in `jar`) and does not follow redirects.
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    /// A pool of its own on the app's database, for what the tests read and change directly:
    /// sqlx's `Any` driver, so one query (with `$1` placeholders, which SQLite reads too) runs
    /// on either backend.
    pub pool: sqlx::AnyPool,
    pub flash: flashboard::flash::FlashStore,
    /// The running app's shared state.
    pub state: flashboard::web::state::AppState,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
    /// Dropped last: a PostgreSQL database goes once the app has stopped.
    _database: backend::TestDatabase,
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

    /// `GET path` with this app's client and one more request header.
    pub async fn get_with_header(&self, path: &str, name: &str, value: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(name, value)
            .send()
            .await
            .expect("GET failed")
    }

    /// The site root the app serves static files from (`pkg/flashboard.css` is there).
    pub fn site_root(&self) -> std::path::PathBuf {
        self._dir.path().join("site")
    }

    /// The backend the app runs on.
    pub fn backend(&self) -> flashboard::db::Backend {
        self.state.db.backend()
    }

    /// The app's own SQLite pool (the SQLite-only tests of `db_faults`).
    pub fn sqlite_pool(&self) -> &sqlx::SqlitePool {
        self.state.db.sqlite_pool().expect("an app on SQLite")
    }

    /// The SQLite file the app runs on (SQLite only).
    pub fn database_path(&self) -> std::path::PathBuf {
        self._dir.path().join("flashboard.db")
    }

    /// A new client with its own (empty) cookie jar: another browser.
    pub fn new_client(&self) -> reqwest::Client {
        client()
    }
}

/// Settings for a test: dev mode (plain HTTP), the database at `database_url`.
pub fn test_config(database_url: &str) -> Config {
    let mut config = Config {
        mode: Mode::Dev,
        ..Config::default()
    };
    config.database.url = database_url.to_owned();
    config
}

/// Starts the app with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app with test settings changed by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_routes(adjust, axum::Router::new()).await
}

/// Starts the app on a new database on the PostgreSQL server `postgres` (an SQLite file when
/// `None`), whatever `FLASHBOARD_TEST_POSTGRES_URL` says (the benchmark runs both in one run).
pub async fn spawn_app_on(postgres: Option<String>, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = backend::TestDatabase::create_on(dir.path(), postgres).await;
    spawn_in(
        dir,
        database,
        adjust,
        Secrets::default(),
        axum::Router::new(),
    )
    .await
}

/// Starts the app with test settings changed by `adjust` and the `extra` routes of a test.
pub async fn spawn_app_with_routes(
    adjust: impl FnOnce(&mut Config),
    extra: axum::Router<flashboard::web::state::AppState>,
) -> TestApp {
    spawn(adjust, Secrets::default(), extra).await
}

/// Starts the app with `secrets` (without any, the dev mode's generated key is used) and test
/// settings changed by `adjust`.
pub async fn spawn_app_with_secrets(secrets: Secrets, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(adjust, secrets, axum::Router::new()).await
}

async fn spawn(
    adjust: impl FnOnce(&mut Config),
    secrets: Secrets,
    extra: axum::Router<flashboard::web::state::AppState>,
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = backend::TestDatabase::create(dir.path()).await;
    spawn_in(dir, database, adjust, secrets, extra).await
}

async fn spawn_in(
    dir: tempfile::TempDir,
    database: backend::TestDatabase,
    adjust: impl FnOnce(&mut Config),
    secrets: Secrets,
    extra: axum::Router<flashboard::web::state::AppState>,
) -> TestApp {
    // FB_TEST_LOG=1 (with RUST_LOG) shows the servers' logs while debugging a test.
    if std::env::var_os("FB_TEST_LOG").is_some() {
        flashboard::web::telemetry::init(Default::default());
    }
    let mut config = test_config(&database.url);
    // Mail goes to an outbox of the test's own.
    config.mail.outbox_dir = dir.path().join("outbox");
    adjust(&mut config);
    // A site root of its own, with one static file, so tests need no prior `cargo leptos build`.
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/flashboard.css"), "body{}").unwrap();
    let options = LeptosOptions::builder()
        .output_name("flashboard")
        .site_root(site.to_str().unwrap())
        .build();

    let server = Server::builder(config.clone(), options)
        .secrets(secrets)
        .routes(extra)
        .build()
        .await
        .expect("server builds");
    sqlx::any::install_default_drivers();
    // Lazy: it opens a connection only when a test uses it (a connection of its own open on
    // an SQLite file takes part in the file's locking, which the fault tests control).
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect_lazy(&config.database.url)
        .expect("a pool of the test's own on the app's database");
    let flash = server.state.flash.clone();
    let state = server.state.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    TestApp {
        base_url: format!("http://{address}"),
        config,
        client: client_with(jar.clone()),
        jar,
        pool,
        flash,
        state,
        _stop: stop,
        _dir: dir,
        _database: database,
    }
}

/// A cookie-keeping client that reports redirects instead of following them.
pub fn client() -> reqwest::Client {
    client_with(std::sync::Arc::new(reqwest::cookie::Jar::default()))
}

/// A client over the cookie jar `jar`.
pub fn client_with(jar: std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar)
        // A request that hangs fails the test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// `POST path` as a plain HTML form would send it (JavaScript off).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .form(form)
            .send()
            .await
            .expect("POST failed")
    }

    /// `POST path` as leptos' server-function client (a script) sends it.
    pub async fn call(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("POST failed")
    }

    /// A flash handle on the session of this app's client (which must have a session cookie),
    /// for pushing what no route of the app pushes.
    pub async fn flasher(&self) -> flashboard::flash::Flasher {
        let id = self.session_id().expect("the client has a session cookie");
        let store = std::sync::Arc::new(self.session_store());
        let session = tower_sessions::Session::new(Some(id.parse().unwrap()), store, None);
        flashboard::flash::Flasher::new(self.flash.clone(), session)
    }

    /// A session store over the app's database, as the app's own.
    pub fn session_store(&self) -> flashboard::session::SessionStore {
        flashboard::session::SessionStore::new(
            self.state.db.clone(),
            self.state.lifetimes.clone(),
            self.state.db_health.clone(),
        )
    }

    /// The session id in this app's client's cookie (without the cookie's signature).
    pub fn session_id(&self) -> Option<String> {
        // A signed cookie's value is the base64 HMAC (44 characters), then the value itself.
        self.session_cookie().map(|value| value[44..].to_owned())
    }

    /// The session cookie's whole (signed) value in this app's client's cookie jar.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let cookies = self.jar.cookies(&self.base_url.parse().unwrap())?;
        let prefix = format!("{}=", self.config.cookie_name());
        cookies
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&prefix).map(str::to_owned))
    }
}

/// The `(category, message)` pairs of the flashes in a page's global banner, in order.
pub fn banner(html: &str) -> Vec<(String, String)> {
    let html = &without_markers(html);
    let Some(start) = html.find("class=\"flash-region\"") else {
        return Vec::new();
    };
    let region = &html[start
        ..html[start..]
            .find("<main")
            .map_or(html.len(), |end| start + end)];
    region
        .split("data-category=\"")
        .skip(1)
        .map(|item| {
            let category = item[..item.find('"').unwrap()].to_owned();
            let text_start =
                item.find("class=\"flash-message\">").unwrap() + "class=\"flash-message\">".len();
            let text_end = text_start + item[text_start..].find("</p>").unwrap();
            (category, item[text_start..text_end].to_owned())
        })
        .collect()
}

impl TestApp {
    /// Registers through the no-JS form path.
    pub async fn register(&self, username: &str, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/register",
            &[
                ("username", username),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// Logs in through the no-JS form path.
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Registers and logs in `username` (password `Password123`), asserting both worked.
    pub async fn signed_in(&self, username: &str) {
        let res = self
            .register(username, &format!("{username}@example.com"), "Password123")
            .await;
        assert_eq!(
            res.headers()["location"],
            "/login",
            "registration of {username} failed"
        );
        let res = self.login(username, "Password123").await;
        assert_eq!(
            res.headers()["location"],
            "/dashboard",
            "log-in of {username} failed"
        );
    }

    /// `GET path` from another browser that presents the session cookie value `cookie` (a
    /// replay, or a forgery).
    pub async fn get_with_session(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.new_client()
            .get(self.url(path))
            .header("cookie", format!("{}={cookie}", self.config.cookie_name()))
            .send()
            .await
            .expect("GET failed")
    }

    /// The body of `GET path` (any status), without hydration markers ([`page`]).
    pub async fn html(&self, path: &str) -> String {
        page(self.get(path).await).await
    }

    /// Makes the database refuse `event` (such as `BEFORE DELETE ON tower_sessions`) on the
    /// session rows of `username`, as a failing database would, until [`TestApp::clear_fault`].
    pub async fn fault_for_user(&self, name: &str, event: &str, username: &str) {
        let condition =
            format!("OLD.user_id = (SELECT id FROM users WHERE username = '{username}')");
        self.fault(name, event, &condition).await;
    }

    /// Makes the database refuse `event` (such as `BEFORE INSERT ON tower_sessions`) on the
    /// rows for which `condition` holds (e.g. `NEW.user_id IS NOT NULL`), until
    /// [`TestApp::clear_fault`].
    pub async fn fault(&self, name: &str, event: &str, condition: &str) {
        for sql in backend::fault_sql(name, event, condition) {
            sqlx::query(&sql).execute(&self.pool).await.unwrap();
        }
    }

    /// Removes the fault `name` made for `event`.
    pub async fn clear_fault(&self, name: &str, event: &str) {
        for sql in backend::drop_fault_sql(name, event) {
            sqlx::query(&sql).execute(&self.pool).await.unwrap();
        }
    }

    /// The body of `GET path` as `client` (another browser) sees it, without hydration markers.
    pub async fn html_with(&self, client: &reqwest::Client, path: &str) -> String {
        page(client.get(self.url(path)).send().await.unwrap()).await
    }
}

/// A page's body without leptos' hydration markers: the server render follows each piece of
/// dynamic text with an empty comment, `<!>`, which nobody sees. The tests read the markup as a
/// visitor's browser shows it.
pub async fn page(res: reqwest::Response) -> String {
    without_markers(&res.text().await.unwrap())
}

/// `html` without hydration markers (see [`page`]).
pub fn without_markers(html: &str) -> String {
    html.replace("<!>", "")
}

/// The messages of field-scoped flashes of `category` in `html` (e.g. `error_username`).
pub fn field_flashes(html: &str, category: &str) -> Vec<String> {
    let html = &without_markers(html);
    let marker = format!("data-category=\"{category}\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at..];
            let start =
                rest.find("class=\"flash-message\">").unwrap() + "class=\"flash-message\">".len();
            let end = start + rest[start..].find("</p>").unwrap();
            rest[start..end].to_owned()
        })
        .collect()
}

/// The nonce a Content-Security-Policy allows scripts with, if any.
pub fn csp_nonce(csp: &str) -> Option<&str> {
    csp.split("'nonce-").nth(1)?.split('\'').next()
}
