//! What an operator watches, over real HTTP: `/metrics` on its own address, counters that move
//! as requests are served, `x-request-id` on every response (kept from a trusted proxy only),
//! JSON log lines that carry it, and `/readyz` waiting for the migrations.
#![cfg(feature = "ssr")]

mod common;

use std::{
    io::Read,
    net::TcpListener as StdListener,
    process::{Command, Stdio},
    time::Duration,
};

use common::{TestApp, client, spawn_app, spawn_app_with};

/// Serves the metrics of `app` on an address of their own; returns their URL.
async fn metrics_url(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = flashboard::web::metrics::router(app.state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}/metrics")
}

async fn scrape(url: &str) -> String {
    let res = client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    res.text().await.unwrap()
}

/// The value of the series `name` whose labels include every one of `labels` (0 when absent).
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .filter(|line| {
            labels
                .iter()
                .all(|(key, value)| line.contains(&format!("{key}=\"{value}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_are_on_their_own_address_and_move_as_requests_are_served() {
    let app = spawn_app().await;
    let url = metrics_url(&app).await;
    // Not on the public address.
    assert_eq!(app.get("/metrics").await.status(), 404);
    let before = scrape(&url).await;
    let login_page = [("route", "/login"), ("method", "GET"), ("status", "200")];

    for _ in 0..3 {
        assert_eq!(app.get("/login").await.status(), 200);
    }
    app.register("ana", "ana@example.com", "Password123").await;
    app.login("ana", "Wrong password 1").await;
    app.login("ana", "Password123").await;
    app.html("/dashboard").await; // shows the flashes: "registered", the failure, the welcome
    // Four demos of six flashes, never viewed: the queue keeps the newest 20.
    for _ in 0..4 {
        assert_eq!(app.call("/api/flash_demo", &[]).await.status(), 200);
    }
    let after = scrape(&url).await;

    let delta = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    assert!(
        delta("flashboard_http_requests_total", &login_page) >= 3.0,
        "{after}"
    );
    assert!(
        delta(
            "flashboard_http_request_duration_seconds_count",
            &login_page
        ) >= 3.0
    );
    assert!(
        after.contains("flashboard_http_request_duration_seconds_bucket{"),
        "a histogram with buckets: {after}"
    );
    assert!(delta("flashboard_logins_total", &[("outcome", "success")]) >= 1.0);
    assert!(delta("flashboard_logins_total", &[("outcome", "failure")]) >= 1.0);
    assert!(delta("flashboard_flashes_pushed_total", &[]) >= 3.0);
    assert!(delta("flashboard_flashes_shown_total", &[]) >= 3.0);
    assert!(
        delta("flashboard_flashes_dropped_total", &[]) >= 4.0,
        "{after}"
    );
    // Read at the scrape.
    assert!(value(&after, "flashboard_sessions_live", &[]) >= 1.0);
    assert!(value(&after, "flashboard_db_connections_max", &[]) >= 1.0);
    assert!(after.contains("flashboard_password_hashes{state=\"waiting\"}"));
    // A made-up address, or method, adds no series of its own.
    app.get("/no/such/page/12345").await;
    app.client
        .request(
            reqwest::Method::from_bytes(b"FOO12345").unwrap(),
            app.url("/login"),
        )
        .send()
        .await
        .unwrap();
    let later = scrape(&url).await;
    assert!(!later.contains("12345"));
    assert!(later.contains("route=\"unmatched\""));
    assert!(later.contains("method=\"OTHER\""));
}

#[tokio::test]
async fn throttled_attempts_are_counted() {
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(1).unwrap();
    })
    .await;
    let url = metrics_url(&app).await;
    let labels = [("endpoint", "/api/login")];
    let before = value(&scrape(&url).await, "flashboard_throttled_total", &labels);
    app.login("ana", "Password123").await;
    let res = app.login("ana", "Password123").await;
    assert_eq!(res.status(), 429);
    let scraped = scrape(&url).await;
    let after = value(&scraped, "flashboard_throttled_total", &labels);
    // A refusal made before the handler runs is counted under the route it was for.
    let refused = [
        ("route", "/api/login"),
        ("method", "POST"),
        ("status", "429"),
    ];
    assert!(
        value(&scraped, "flashboard_http_requests_total", &refused) >= 1.0,
        "{scraped}"
    );
    assert!(after - before >= 1.0);
}

#[tokio::test]
async fn every_response_carries_a_request_id_kept_only_from_a_trusted_proxy() {
    let app = spawn_app().await;
    let id = |res: &reqwest::Response| res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let first = id(&app.get("/").await);
    assert_eq!(first.len(), 32);
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(id(&app.get("/").await), first, "one id per request");
    assert_eq!(id(&app.get("/livez").await).len(), 32, "the probes too");
    // Anyone may send the header; only a trusted proxy's is believed.
    let claimed = app
        .get_with_header("/", "x-request-id", "from-the-client")
        .await;
    assert_ne!(id(&claimed), "from-the-client");

    let behind_proxy = spawn_app_with(|config| {
        config.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let get = |value| behind_proxy.get_with_header("/login", "x-request-id", value);
    let kept = get("3f2b9c1e-1d2a-4c8e-9f00-123456789abc").await;
    assert_eq!(id(&kept), "3f2b9c1e-1d2a-4c8e-9f00-123456789abc");
    let odd = get("two words").await;
    assert_eq!(id(&odd).len(), 32, "not a plain token: replaced");
}

#[tokio::test]
async fn readyz_waits_until_every_migration_is_applied() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 14")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "migrations pending");
    // The liveness probe does not care.
    assert_eq!(app.get("/livez").await.status(), 200);

    let migrated = spawn_app().await;
    let res = migrated.get("/readyz").await;
    assert_eq!(res.status(), 200);
}

/// A free port on 127.0.0.1 (free when asked; the server binds it right after).
fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_binary_logs_json_lines_with_the_request_id_and_serves_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let (port, metrics_port) = (free_port(), free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_flashboard"))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FLASHBOARD_MODE", "dev")
        .env("FLASHBOARD_SERVER__ADDRESS", format!("127.0.0.1:{port}"))
        .env(
            "FLASHBOARD_SERVER__METRICS_ADDRESS",
            format!("127.0.0.1:{metrics_port}"),
        )
        .env("FLASHBOARD_LOG__FORMAT", "json")
        .env("FLASHBOARD_DATABASE__URL", "sqlite://data/flashboard.db")
        .env("LEPTOS_OUTPUT_NAME", "flashboard")
        .env("LEPTOS_SITE_ROOT", site.to_str().unwrap())
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let browser = client();
    // Up once it answers (it migrates a new database first).
    let mut up = false;
    for _ in 0..400 {
        if let Ok(res) = browser.get(format!("{base}/livez")).send().await {
            up = res.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let res = browser.get(format!("{base}/login")).send().await;
    let metrics = browser
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await;
    // SIGTERM: a graceful stop, which flushes the log.
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let status = server.wait().unwrap();
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(up, "the server did not come up: {stderr}");
    assert!(status.success(), "{status}: {stderr}");
    let res = res.unwrap();
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let metrics = metrics.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("flashboard_http_requests_total")
    );

    // Every line is a JSON object; the request's line names its id, method and path.
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let served = lines
        .iter()
        .find(|line| line["span"]["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no line with request id {id}: {stderr}"));
    assert_eq!(served["fields"]["message"], "served");
    assert_eq!(served["fields"]["status"], 200);
    assert_eq!(served["span"]["path"], "/login");
    assert_eq!(served["level"], "INFO");
}
