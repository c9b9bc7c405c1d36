//! PostgreSQL's own cases, over real HTTP against a real server (`FLASHBOARD_TEST_POSTGRES_URL`;
//! `scripts/test` starts a throwaway cluster and runs these with `--include-ignored`): the
//! server going away and coming back (through a TCP proxy the test cuts), start-up errors that
//! name the URL without its password, two instances migrating one empty database at once, and
//! two instances on one database agreeing on log-outs, flashes and limits.
#![cfg(feature = "ssr")]

mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use common::{TestApp, backend::TestDatabase, banner, spawn_app_with, spawn_app_with_secrets};
use flashboard::{
    clock::Clock,
    db::DatabaseConfig,
    server::secret::{SecretKey, Secrets},
};
use tokio::{net::TcpListener, task::JoinSet};

const NEEDS: &str = "needs FLASHBOARD_TEST_POSTGRES_URL (scripts/test sets it)";

/// A TCP proxy in front of the PostgreSQL server that the test can cut: while down, it drops
/// every open connection and refuses new ones, as a server that went away would.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    connections: Arc<tokio::sync::Mutex<JoinSet<()>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(tokio::sync::Mutex::new(JoinSet::new()));
        let (accept_up, accept_connections) = (up.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let upstream = upstream.clone();
                accept_connections.lock().await.spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self {
            port,
            up,
            connections,
        }
    }

    async fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.connections.lock().await.abort_all();
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// `url` with its port replaced.
fn with_port(url: &str, port: u16) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_port(Some(port)).unwrap();
    url.to_string()
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL (scripts/test sets it)"]
async fn a_database_that_goes_away_is_a_503_and_the_app_recovers_by_itself() {
    let server = common::backend::postgres_server().expect(NEEDS);
    let server = url::Url::parse(&server).unwrap();
    let upstream = format!("{}:{}", server.host_str().unwrap(), server.port().unwrap());
    let proxy = Proxy::start(upstream).await;
    let clock = Clock::manual();
    let app_clock = clock.clone();
    let port = proxy.port;
    let app = spawn_app_with(move |config| {
        config.clock = app_clock;
        config.database.url = with_port(&config.database.url, port);
        config.database.busy_timeout = Duration::from_millis(200);
    })
    .await;
    app.signed_in("alice").await;
    assert!(app.html("/dashboard").await.contains("Hello, alice!"));

    proxy.down().await;
    // A write the database cannot take: a 503 that says so, and no cookie.
    let res = app.post_form("/api/flash_demo", &[]).await;
    assert_eq!(res.status(), 503);
    assert!(!res.headers().contains_key("set-cookie"));
    clock.advance(Duration::from_secs(1));
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["backend"], "postgres");
    assert_eq!(body["status"], "unavailable");
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["backend"], "postgres");
    // Liveness: the process serves (a restart would not bring the database back).
    assert_eq!(app.get("/livez").await.status(), 200);

    proxy.restore();
    clock.advance(Duration::from_secs(1));
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200, "recovered without a restart");
    assert_eq!(app.get("/healthz").await.status(), 200);
    // The session lived in the database all along: still logged in, and writes work again.
    assert!(app.html("/dashboard").await.contains("Hello, alice!"));
    let res = app.post_form("/api/flash_demo", &[]).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL (scripts/test sets it)"]
async fn start_up_errors_say_why_and_never_show_the_password() {
    let server = common::backend::postgres_server().expect(NEEDS);
    // Nothing listens on the port of a listener just closed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = format!("postgres://app:s3cret@127.0.0.1:{closed}/flashboard");
    let mut missing = url::Url::parse(&server).unwrap();
    missing.set_path("no_such_database");
    let _ = missing.set_password(Some("s3cret"));
    for (url, why) in [
        (unreachable, "refused"),
        (missing.to_string(), "does not exist"),
    ] {
        let config = DatabaseConfig {
            url,
            ..DatabaseConfig::default()
        };
        let err = match flashboard::server::open_and_migrate(&config).await {
            Ok(_) => panic!("opened {}", config.url),
            Err(err) => err.to_string(),
        };
        assert!(err.contains(why), "{err}");
        assert!(err.contains(&config.url_for_display()), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL (scripts/test sets it)"]
async fn two_instances_starting_at_once_migrate_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let config = DatabaseConfig {
        url: database.url.clone(),
        ..DatabaseConfig::default()
    };
    let (a, b) = tokio::join!(
        flashboard::server::open_and_migrate(&config),
        flashboard::server::open_and_migrate(&config)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    assert_eq!(applied.len(), files, "each migration once: {applied:?}");
    for db in [a, b, flashboard::db::Db::Postgres(pool)] {
        db.close().await;
    }
}

/// A second instance of `app`: another server on the same database, with the same secret key
/// and settings, whose client is `app`'s (one browser with one cookie jar, whose requests a
/// load balancer sends to either instance: cookies do not tell ports apart).
async fn second_instance(app: &TestApp, secret: &str) -> TestApp {
    let settings = app.config.clone();
    let mut second = spawn_app_with_secrets(Secrets::new(SecretKey::new(secret)), move |config| {
        *config = settings;
    })
    .await;
    second.client = app.client.clone();
    second.jar = app.jar.clone();
    second
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL (scripts/test sets it)"]
async fn two_instances_on_one_database_agree_on_sessions_flashes_and_limits() {
    const SECRET: &str = "9d41c07be3f25a86d1e0b4c7a39f2e58b6d0c1a4e7f3928b5c6d0e1f2a3b4c5d";
    let clock = Clock::manual();
    let app_clock = clock.clone();
    let a = spawn_app_with_secrets(Secrets::new(SecretKey::new(SECRET)), move |config| {
        config.clock = app_clock;
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(6).unwrap();
    })
    .await;
    let b = second_instance(&a, SECRET).await;

    // Registered on A, logged in on B, the dashboard on A: one session.
    a.register("alice", "alice@example.com", "Password123")
        .await;
    let res = b.login("alice", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    // A flash pushed by B (the welcome) is shown once, by A.
    let html = a.html("/dashboard").await;
    assert!(html.contains("Hello, alice!"), "{html}");
    assert!(
        banner(&html)
            .iter()
            .any(|(_, text)| text == "Welcome back, alice!"),
        "{html}"
    );
    assert!(banner(&b.html("/dashboard").await).is_empty(), "shown once");

    // Logged out on A: refused by B at once.
    let res = a.post_form("/api/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let res = b.get("/dashboard").await;
    assert_eq!(res.status(), 303, "B sees the log-out");

    // The per-address limit counts the attempts on both: 6 a minute, 2 spent above (the
    // registration on A, the log-in on B), so of 6 more, alternately, the last 2 are refused.
    // (Counted per instance, each would have had room for all of them.)
    let mut statuses = Vec::new();
    for n in 0..6 {
        let app = if n % 2 == 0 { &a } else { &b };
        statuses.push(app.login("alice", "wrong-password").await.status().as_u16());
    }
    assert_eq!(statuses[4..], [429, 429], "{statuses:?}");
    assert!(!statuses[..4].contains(&429), "{statuses:?}");
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL (scripts/test sets it)"]
async fn simultaneous_wrong_passwords_on_two_instances_get_only_the_free_hashes() {
    // Each attempt being evaluated counts as a failure on every instance (its place is a row):
    // 30 at once, half on each instance, get at most the free ones hashed in all.
    const SECRET: &str = "4f0b9e27c5d13a86e2f7b0c49d5a1e38f6c2b7d0a9e4f1c3b8d5a2e7f0c6b9d1";
    // A clock that stands still: no attempt is let through by the next second coming.
    let a = spawn_app_with_secrets(Secrets::new(SecretKey::new(SECRET)), |config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(10_000).unwrap();
        config.clock = Clock::manual();
    })
    .await;
    let b = second_instance(&a, SECRET).await;
    a.register("raced", "raced@example.com", "Password123")
        .await;
    let before = a.state.passwords.hashes_done() + b.state.passwords.hashes_done();
    let attempts: Vec<_> = (0..30)
        .map(|n| {
            let app = if n % 2 == 0 { &a } else { &b };
            let request = common::client()
                .post(app.url("/api/login"))
                .header("accept", "text/html")
                .form(&[("username", "raced"), ("password", "wrong-password")]);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let after = a.state.passwords.hashes_done() + b.state.passwords.hashes_done();
    let hashed = (after - before) as usize;
    let free = flashboard::auth::throttle::FREE_FAILURES as usize;
    assert!(
        (1..=free).contains(&hashed),
        "{hashed} hashes for {statuses:?}"
    );
    let throttled = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(throttled, 30 - hashed, "{statuses:?}");
    let held = flashboard::db::login_attempts::held(&a.state.db)
        .await
        .unwrap();
    assert_eq!(held, 0, "nothing left reserved");
}
