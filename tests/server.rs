//! The real router over real HTTP: health check, server-rendered pages, 404s.
#![cfg(feature = "ssr")]

mod common;

use common::spawn_app;

#[tokio::test]
async fn healthz_reports_the_database_ok() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok", "database": "ok"}));
}

#[tokio::test]
async fn healthz_reports_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.pool.close().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "unavailable");
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
    assert!(html.contains("<title>Flashboard</title>"), "{html}");
    assert!(html.contains("Welcome to Flashboard"), "{html}");
    for link in ["href=\"/\"", "href=\"/login\"", "href=\"/register\""] {
        assert!(html.contains(link), "nav link {link} missing: {html}");
    }
    // The page loads the wasm bundle under the name cargo-leptos gives it.
    assert!(html.contains("/pkg/flashboard.js"), "{html}");
    assert!(html.contains("/pkg/flashboard.wasm"), "{html}");
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
async fn database_file_is_created_with_wal() {
    let app = spawn_app().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
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
