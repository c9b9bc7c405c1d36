//! The real router over real HTTP: health check, server-rendered pages, 404s.
#![cfg(feature = "ssr")]

mod common;

use common::spawn_app;
use flashboard::db::Backend;

#[tokio::test]
async fn healthz_and_readyz_report_the_backend_and_the_database_ok() {
    let app = spawn_app().await;
    let backend = common::backend::backend().as_str();
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "ok", "backend": backend, "database": "ok"})
    );
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "ready", "backend": backend, "database": "ok"})
    );
}

#[tokio::test]
async fn readyz_and_healthz_report_503_when_the_database_is_gone_and_livez_stays_alive() {
    let app = spawn_app().await;
    let backend = common::backend::backend().as_str();
    assert_eq!(app.get("/livez").await.status(), 200);
    app.state.db.close().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "no database connection available");
    // Health says what the probe learned, without asking the database.
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "unavailable", "backend": backend,
                           "database": "no database connection available"})
    );
    // Liveness: restarting would not bring the database back.
    let res = app.get("/livez").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "no database connection available");
}

#[tokio::test]
async fn home_page_is_server_rendered_with_hydration_scripts() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // Pages are per session (flashes, user): never cached.
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains("<title>Welcome to Flashboard</title>"),
        "{html}"
    );
    assert!(html.contains("Welcome to Flashboard"), "{html}");
    for link in ["href=\"/\"", "href=\"/login\"", "href=\"/register\""] {
        assert!(html.contains(link), "nav link {link} missing: {html}");
    }
    // The page loads the wasm bundle under the name cargo-leptos gives it.
    assert!(html.contains("/pkg/flashboard.js"), "{html}");
    assert!(html.contains("/pkg/flashboard.wasm"), "{html}");
    // Islands: the loader hydrates only the islands, here the page script and the counter.
    let islands = |html: &str| html.matches("<leptos-island data-component=\"").count();
    assert!(
        html.contains("<leptos-island data-component=\"PageScripts_"),
        "{html}"
    );
    assert!(
        html.contains("<leptos-island data-component=\"ClickCounter_"),
        "{html}"
    );
    assert_eq!(islands(&html), 2, "{html}");
    let login = app.html("/login").await;
    assert_eq!(islands(&login), 1, "only the page script: {login}");
}

#[tokio::test]
async fn the_navigation_marks_the_current_page_for_assistive_technology() {
    let app = spawn_app().await;
    let current = |html: &str| html.matches("aria-current=\"page\"").count();
    let login = app.html("/login").await;
    assert!(
        login.contains("<a href=\"/login\" aria-current=\"page\">"),
        "{login}"
    );
    assert_eq!(current(&login), 1, "only the page itself: {login}");
    // `/` is current only on the home page itself, not on every page below it.
    let home = app.html("/").await;
    assert!(
        home.contains("<a href=\"/\" aria-current=\"page\">"),
        "{home}"
    );
    assert_eq!(current(&home), 1, "{home}");
    // A page outside the navigation marks none.
    let forgot = app.html("/password/forgot").await;
    assert_eq!(current(&forgot), 0, "{forgot}");
}

#[tokio::test]
async fn unknown_path_is_a_404_page() {
    let app = spawn_app().await;
    let res = app.get("/no-such-page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
}

#[tokio::test]
async fn the_database_is_migrated_at_start_up_and_an_sqlite_file_uses_wal() {
    let app = spawn_app().await;
    let list_tables = match app.backend() {
        Backend::Sqlite => {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&app.pool)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(list_tables)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(tables.contains(&"tower_sessions".to_string()), "{tables:?}");
    assert!(
        tables.contains(&"_sqlx_migrations".to_string()),
        "{tables:?}"
    );
}

#[tokio::test]
async fn a_page_is_sent_whole_with_its_length() {
    let app = spawn_app().await;
    let res = app.get("/login").await;
    assert_eq!(res.status(), 200);
    // Rendered completely before sending (SsrMode::Async), so sent in one piece: a length,
    // not chunked transfer encoding.
    assert!(res.headers().get("transfer-encoding").is_none());
    let length: usize = res.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(res.text().await.unwrap().len(), length);
}

/// A page with nothing to wait for (no flash waiting, its facts gathered before the render) is
/// rendered in one synchronous pass (`server::render`); with a flash waiting, leptos_axum's async
/// render shows it. For each page rendered in one pass, both give the same document around the
/// flash banner: the `<head>` with its title, the page itself, and after `</html>` the shared
/// context's scripts, which the islands read when they start.
#[tokio::test]
async fn a_page_with_nothing_to_wait_for_is_the_same_document_as_one_that_waits() {
    let app = spawn_app().await;
    let register = app
        .register("onepass", "onepass@example.com", "Password123")
        .await;
    assert_eq!(register.headers()["location"], "/login");
    // Apart from the flash banner, which only the first shows.
    let around_flashes = |html: &str| {
        let banner = html
            .find("<section aria-label=\"Notifications\"")
            .expect("a banner");
        let main = html.find("<main").expect("a main");
        (html[..banner].to_owned(), html[main..].to_owned())
    };
    let scripts = "</html><script nonce=\"N\">__RESOLVED_RESOURCES=[];__SERIALIZED_ERRORS=[];\
                   __PENDING_RESOURCES=[];__RESOURCE_RESOLVERS=[];</script>\
                   <script nonce=\"N\">__INCOMPLETE_CHUNKS=[];</script>";
    for path in flashboard::app::OnePassPage::ALL.map(|page| page.path()) {
        // Each log-in leaves its welcome flash for the next page.
        let login = app.login("onepass", "Password123").await;
        assert_eq!(login.headers()["location"], "/dashboard");
        let (waited, _) = with_nonce_masked(app.get(path).await).await;
        let (one_pass, _) = with_nonce_masked(app.get(path).await).await;
        assert!(
            waited.contains("Welcome back, onepass!"),
            "{path}: {waited}"
        );
        assert!(
            !one_pass.contains("Welcome back"),
            "{path}, shown once: {one_pass}"
        );
        assert_eq!(around_flashes(&one_pass), around_flashes(&waited), "{path}");
        assert!(one_pass.contains("</title></head>"), "{path}: {one_pass}");
        assert!(one_pass.ends_with(scripts), "{path}: {one_pass}");
    }
}

/// A page of a visitor without a session, with its nonce replaced by `N`, and the nonce.
async fn anonymous_page(app: &common::TestApp, path: &str) -> (String, String) {
    let res = app.new_client().get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    with_nonce_masked(res).await
}

/// A page's body with its CSP nonce (from the header, and used in the page) replaced by `N`,
/// and the nonce.
async fn with_nonce_masked(res: reqwest::Response) -> (String, String) {
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = common::csp_nonce(&csp).expect("a nonce").to_owned();
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    (html.replace(&nonce, "N"), nonce)
}

#[tokio::test]
async fn pages_without_a_session_are_rendered_once_then_copied_with_a_fresh_nonce() {
    let app = spawn_app().await;
    for path in ["/", "/login", "/register", "/settings", "/flash-demo"] {
        let served = app.state.page_cache.served();
        let (first, first_nonce) = anonymous_page(&app, path).await;
        let (second, second_nonce) = anonymous_page(&app, path).await;
        let (third, third_nonce) = anonymous_page(&app, path).await;
        assert_eq!(app.state.page_cache.served(), served + 2, "{path}");
        assert_eq!(first, second, "{path}");
        assert_eq!(first, third, "{path}");
        assert_ne!(first_nonce, second_nonce);
        assert_ne!(second_nonce, third_nonce);
    }
}

#[tokio::test]
async fn a_session_a_query_or_a_protected_page_is_always_rendered() {
    let app = spawn_app().await;
    anonymous_page(&app, "/login").await;
    let served = app.state.page_cache.served();

    // A query string: rendered with it.
    let html = app.get("/login?next=/settings").await.text().await.unwrap();
    assert!(html.contains(r#"value="/settings""#), "{html}");
    // A session: its flashes are shown.
    assert_eq!(app.post_form("/api/flash_demo", &[]).await.status(), 303);
    let html = app.get("/login").await.text().await.unwrap();
    assert_eq!(common::banner(&html).len(), 6);
    // A page that needs a user: redirected with a flash, never kept.
    for _ in 0..2 {
        let res = app
            .new_client()
            .get(app.url("/dashboard"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
    }
    assert_eq!(app.state.page_cache.served(), served);
}

#[tokio::test]
async fn pages_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let plain = app.get("/login").await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    // Rendered answers are gzipped (see `web::compression`: brotli's set-up per answer cost more
    // than the whole gzip); a client that takes only brotli gets the page as it is.
    for accepts in ["br", "identity", "gzip;q=0, br"] {
        let res = app
            .new_client()
            .get(app.url("/login"))
            .header("accept-encoding", accepts)
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("content-encoding").is_none(), "{accepts}");
        let body = res.bytes().await.unwrap();
        assert!(body.starts_with(b"<!DOCTYPE html>"), "{accepts}");
    }
    for (accepts, encoding) in [
        ("gzip", "gzip"),
        ("gzip, br", "gzip"),
        ("br, *;q=0.1", "gzip"),
    ] {
        // A visitor without a session, then one with a session: kept and rendered pages alike.
        for client in [app.new_client(), app.client.clone()] {
            let res = client
                .get(app.url("/login"))
                .header("accept-encoding", accepts)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-encoding"], encoding, "{accepts}");
            let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
            assert_eq!(vary, ["accept-language", "accept-encoding"], "{accepts}");
            let body = res.bytes().await.unwrap();
            assert!(!body.starts_with(b"<!DOCTYPE"), "{accepts}: sent as it is");
            assert!(body.len() < plain.len(), "{accepts}: {} bytes", body.len());
        }
        assert_eq!(app.post_form("/api/flash_demo", &[]).await.status(), 303);
    }
}

#[tokio::test]
async fn static_files_are_sent_precompressed_never_compressed_per_request() {
    let app = spawn_app().await;
    let pkg = app.site_root().join("pkg");
    let wasm = vec![7u8; 4096];
    std::fs::write(pkg.join("flashboard.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("flashboard.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("flashboard.js"), "x".repeat(4096)).unwrap();
    let get = |path: &str, accepts: &str| {
        app.client
            .get(app.url(path))
            .header("accept-encoding", accepts)
            .send()
    };

    let res = get("/pkg/flashboard.wasm", "gzip, br").await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(res.headers()["vary"], "accept-encoding");
    assert_eq!(&res.bytes().await.unwrap()[..], b"brotli bytes");

    let res = get("/pkg/flashboard.wasm", "identity").await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().to_vec(), wasm);

    // No precompressed copy: sent as it is.
    let res = get("/pkg/flashboard.js", "gzip, br").await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().len(), 4096);
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_other_static_files_revalidated_pages_never() {
    let app = spawn_app().await;
    let hashed = "/pkg/flashboard.4TD3WJDC-6aTUxUtLMnmsA.css";
    std::fs::write(app.site_root().join(&hashed[1..]), "main{}").unwrap();
    std::fs::write(app.site_root().join("favicon.svg"), "<svg/>").unwrap();
    let cache_control = |res: &reqwest::Response| {
        res.headers()
            .get("cache-control")
            .map(|value| value.to_str().unwrap().to_owned())
    };

    let res = app.get(hashed).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        cache_control(&res).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    for plain in ["/pkg/flashboard.css", "/favicon.svg"] {
        let res = app.get(plain).await;
        assert_eq!(res.status(), 200, "{plain}");
        assert_eq!(cache_control(&res).as_deref(), Some("no-cache"), "{plain}");
    }
    // A missing file is never kept, hashed name or not; pages are never stored.
    let res = app.get("/pkg/flashboard.AAAAAAAAAAAAAAAAAAAAAA.js").await;
    assert_eq!(res.status(), 404);
    assert_eq!(cache_control(&res).as_deref(), Some("no-store"));
    assert_eq!(
        cache_control(&app.get("/login").await).as_deref(),
        Some("no-store")
    );
}

/// A route that says when a request is inside it and answers only when released.
fn held_route(
    entered: std::sync::Arc<tokio::sync::Notify>,
    release: std::sync::Arc<tokio::sync::Notify>,
) -> axum::Router<flashboard::web::state::AppState> {
    axum::Router::new().route(
        "/held",
        axum::routing::get(move || {
            let (entered, release) = (entered.clone(), release.clone());
            async move {
                entered.notify_one();
                release.notified().await;
                "released"
            }
        }),
    )
}

#[tokio::test]
async fn a_request_beyond_the_in_flight_bound_gets_503_with_retry_after_at_once() {
    use std::sync::Arc;
    use tokio::sync::Notify;

    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let app = common::spawn_app_with_routes(
        |config| config.server.max_in_flight = std::num::NonZeroUsize::MIN,
        held_route(entered.clone(), release.clone()),
    )
    .await;
    let first = {
        let request = app.new_client().get(app.url("/held"));
        tokio::spawn(async move { request.send().await.unwrap() })
    };
    entered.notified().await;

    // The one place is taken: the next request is refused, not queued; the health check is
    // outside the bound.
    assert_eq!(app.get("/healthz").await.status(), 200);
    let refused = app.get("/no-such-page").await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(refused.headers().contains_key("content-security-policy"));
    assert_eq!(
        refused.text().await.unwrap(),
        "The server is busy. Please try again in a moment."
    );
    // In the language the browser asks for; every health check answers.
    let refused = app
        .get_with_header("/no-such-page", "accept-language", "zh-CN")
        .await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.text().await.unwrap(), "服务器繁忙，请稍后再试。");
    for health in ["/livez", "/readyz"] {
        assert_eq!(app.get(health).await.status(), 200, "{health}");
    }

    release.notify_one();
    assert_eq!(first.await.unwrap().status(), 200);
    assert_eq!(
        app.get("/no-such-page").await.status(),
        404,
        "the place is free again"
    );
}

#[tokio::test]
async fn a_request_whose_client_hangs_up_frees_its_place() {
    use std::sync::Arc;
    use tokio::{io::AsyncWriteExt, sync::Notify};

    /// Notifies when the handler's future is dropped (the server gave up on the request).
    struct OnDrop(Arc<Notify>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.notify_one();
        }
    }

    let (entered, dropped) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let route = {
        let (entered, dropped) = (entered.clone(), dropped.clone());
        axum::Router::new().route(
            "/held",
            axum::routing::get(move || {
                let (entered, guard) = (entered.clone(), OnDrop(dropped.clone()));
                async move {
                    let _guard = guard;
                    entered.notify_one();
                    std::future::pending::<&str>().await
                }
            }),
        )
    };
    let app = common::spawn_app_with_routes(
        |config| config.server.max_in_flight = std::num::NonZeroUsize::MIN,
        route,
    )
    .await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!("GET /held HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    entered.notified().await;
    assert_eq!(
        app.get("/no-such-page").await.status(),
        503,
        "the place is taken"
    );

    drop(stream);
    // Bounded, so a server that kept the request would fail the test rather than hang it.
    tokio::time::timeout(std::time::Duration::from_secs(10), dropped.notified())
        .await
        .expect("the server dropped the request of a client that hung up");
    assert_eq!(
        app.get("/no-such-page").await.status(),
        404,
        "the place is free again"
    );
}

#[tokio::test]
async fn a_request_running_past_the_timeout_gets_503_and_frees_its_place() {
    use std::sync::Arc;
    use tokio::sync::Notify;

    let (entered, never) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let app = common::spawn_app_with_routes(
        |config| {
            config.server.request_timeout = std::time::Duration::from_millis(200);
            config.server.max_in_flight = std::num::NonZeroUsize::MIN;
        },
        held_route(entered, never),
    )
    .await;
    let res = app.get("/held").await;
    assert_eq!(res.status(), 503);
    assert!(!res.headers().contains_key("retry-after"));
    assert_eq!(
        res.text().await.unwrap(),
        "The request took too long. Please try again."
    );
    let res = app
        .get_with_header("/held", "accept-language", "zh-CN")
        .await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "请求超时，请重试。");
    assert_eq!(
        app.get("/no-such-page").await.status(),
        404,
        "its place is free again"
    );
}

#[tokio::test]
async fn flashboard_migrate_prepares_the_database_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::backend::TestDatabase::create(dir.path()).await;
    let url = database.url.clone();
    let migrate = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_flashboard"))
            .arg("migrate")
            .current_dir(dir.path())
            .env("FLASHBOARD_DATABASE__URL", &url)
            .env_remove("FLASHBOARD_CONFIG")
            .output()
            .unwrap()
    };
    for run in 1..=2 {
        let out = migrate();
        assert!(
            out.status.success(),
            "run {run}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let list_tables = match common::backend::backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(list_tables)
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    for table in ["auth_events", "flash", "tower_sessions", "users"] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_flashboard"))
        .arg("migrat")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(said.contains("unrecognized subcommand 'migrat'"), "{said}");
    assert!(
        said.contains("similar subcommand exists: 'migrate'"),
        "{said}"
    );
}

#[test]
fn the_binary_explains_its_commands() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_flashboard"))
            .args(args)
            .output()
            .unwrap()
    };
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let said = String::from_utf8_lossy(&help.stdout);
    for words in [
        "Usage: flashboard [COMMAND]",
        "serve",
        "migrate",
        "--version",
    ] {
        assert!(said.contains(words), "{words}: {said}");
    }
    let help = run(&["migrate", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Apply the database migrations"));
    let version = run(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("flashboard {}", env!("CARGO_PKG_VERSION"))
    );
    // An argument no command takes: status 2, never a start.
    let wrong = run(&["serve", "--port", "1"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("unexpected argument '--port'"));
}

#[tokio::test]
async fn a_head_request_gets_the_pages_length_and_no_body() {
    let app = common::spawn_app().await;
    let page = app.get("/login").await.text().await.unwrap();
    let head = app.client.head(app.url("/login")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"],
        page.len().to_string().as_str(),
        "the length the page would have"
    );
    assert_eq!(head.text().await.unwrap(), "");
}
