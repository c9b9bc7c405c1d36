//! Flash messages over real HTTP: Post/Redirect/Get with and without JavaScript, shown once,
//! same-response display, requests that must not consume them, escaping.
#![cfg(feature = "ssr")]

mod common;

use common::{TestApp, banner, spawn_app};

/// The demo's six flashes as the page shows them.
const DEMO: [(&str, &str); 6] = [
    ("success", "Logged in successfully."),
    ("warning", "Your password is weak."),
    ("info", "Maintenance is planned for tonight."),
    ("error", "The database connection failed."),
    ("message", "A message without a category."),
    ("stock_alert", "Only 3 left in stock."),
];

/// The same in the banner: errors first (their live region interrupts), the rest in order.
const SHOWN: [(&str, &str); 6] = [
    ("error", "The database connection failed."),
    ("success", "Logged in successfully."),
    ("warning", "Your password is weak."),
    ("info", "Maintenance is planned for tonight."),
    ("message", "A message without a category."),
    ("stock_alert", "Only 3 left in stock."),
];

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, m)| (c.to_string(), m.to_string()))
        .collect()
}

async fn page(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "GET {path}");
    common::page(res).await
}

#[tokio::test]
async fn form_post_redirects_with_303_and_the_next_page_shows_the_flashes_once() {
    let app = spawn_app().await;
    // Plain form post, JavaScript off.
    let res = app.post_form("/api/flash_demo", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/flash-demo");

    let html = page(&app, "/flash-demo").await;
    assert_eq!(banner(&html), pairs(&SHOWN));
    // Errors are in the region that interrupts, everything else in the status region; custom
    // categories keep their name.
    let alerts = html
        .find(r#"<div role="alert" aria-atomic="false" class="flash-alerts">"#)
        .expect("alerts");
    let statuses = html
        .find(r#"<div role="status" aria-atomic="false" class="flash-statuses">"#)
        .expect("statuses");
    let error = html.find(r#"data-category="error""#).unwrap();
    let success = html.find(r#"data-category="success""#).unwrap();
    assert!(
        alerts < error && error < statuses && statuses < success,
        "{html}"
    );
    assert!(
        html.contains("flash flash-neutral flash-cat-stock_alert"),
        "{html}"
    );
    assert!(
        html.contains("flash flash-success flash-cat-success flash-auto"),
        "{html}"
    );
    // Once, in the HTML: the page carries no hydration data (islands), so no copy for a script.
    assert_eq!(html.matches("Only 3 left in stock.").count(), 1, "{html}");

    // Reload: gone.
    assert_eq!(banner(&page(&app, "/flash-demo").await), []);
}

#[tokio::test]
async fn the_live_region_is_in_every_page_even_without_flashes() {
    let app = spawn_app().await;
    let html = page(&app, "/").await;
    // A named region with both live regions, empty, from the first paint: a flash that
    // arrives later is announced.
    assert!(
        html.contains(r#"<section aria-label="Notifications" class="flash-region">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<div role="alert" aria-atomic="false" class="flash-alerts"></div>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<div role="status" aria-atomic="false" class="flash-statuses"></div>"#),
        "{html}"
    );
    assert_eq!(banner(&html), []);
}

#[tokio::test]
async fn server_function_call_from_the_app_gets_a_client_redirect_and_takes_flashes_once() {
    let app = spawn_app().await;
    let res = app.call("/api/flash_demo", &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("serverfnredirect"));
    assert_eq!(res.headers()["location"], "/flash-demo");

    // A script fetches what arrived after it follows the redirect.
    let res = app.call("/api/take_flashes", &[]).await;
    assert_eq!(res.status(), 200);
    let taken: Vec<serde_json::Value> = res.json().await.unwrap();
    let got: Vec<(String, String)> = taken
        .iter()
        .map(|f| {
            (
                f["category"].as_str().unwrap().into(),
                f["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, pairs(&DEMO));

    let again: Vec<serde_json::Value> = app
        .call("/api/take_flashes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(banner(&page(&app, "/").await), []);
}

#[tokio::test]
async fn take_flashes_refuses_get() {
    let app = spawn_app().await;
    let res = app.get("/api/take_flashes").await;
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn flash_pushed_in_the_request_that_renders_the_page_shows_in_that_response() {
    let app = spawn_app().await;
    let res = app.post_form("/flash-demo", &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(banner(&res.text().await.unwrap()), pairs(&SHOWN));
    assert_eq!(banner(&page(&app, "/flash-demo").await), []);
}

#[tokio::test]
async fn requests_that_render_no_page_leave_the_flashes_waiting() {
    let app = spawn_app().await;
    app.post_form("/api/flash_demo", &[]).await;

    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/pkg/flashboard.css").await.status(), 200);
    assert_eq!(app.get("/favicon.ico").await.status(), 404);
    assert_eq!(app.get("/no-such-page").await.status(), 404);
    let head = app
        .client
        .head(app.url("/flash-demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let prefetch = app
        .get_with_header("/flash-demo", "sec-purpose", "prefetch")
        .await;
    assert_eq!(banner(&prefetch.text().await.unwrap()), []);
    // A failed server function call (unknown endpoint).
    assert!(
        app.call("/api/no_such_fn", &[])
            .await
            .status()
            .is_client_error()
    );

    assert_eq!(banner(&page(&app, "/").await), pairs(&SHOWN));
}

#[tokio::test]
async fn message_text_is_escaped() {
    let app = spawn_app().await;
    app.signed_in("alice").await; // gives the client a session
    page(&app, "/").await; // and shows the welcome

    let flasher = app.flasher().await;
    flasher
        .push(
            "error",
            r#"<script>alert("pwned")</script> & <b>bold</b> <!>"#,
        )
        .await
        .unwrap();
    // The body as sent: `page` would take out hydration markers, so a message's own `<!>` too.
    let html = app.get("/").await.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<b>bold</b>"), "{html}");
    assert!(
        html.contains(
            "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &lt;!&gt;"
        ) || html.contains(
            "&lt;script&gt;alert(\"pwned\")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &lt;!&gt;"
        ),
        "{html}"
    );
}

#[tokio::test]
async fn field_scoped_flashes_are_not_in_the_global_banner() {
    let app = spawn_app().await;
    app.signed_in("alice").await;
    page(&app, "/").await;
    let flasher = app.flasher().await;
    flasher
        .push("error_username", "Username is taken.")
        .await
        .unwrap();
    flasher.success("Global one.").await.unwrap();
    let html = page(&app, "/").await;
    assert_eq!(banner(&html), pairs(&[("success", "Global one.")]));
    assert!(
        !html.contains(r#"data-category="error_username""#),
        "{html}"
    );
}

#[tokio::test]
async fn each_browser_sees_only_its_own_flashes() {
    let app = spawn_app().await;
    app.post_form("/api/flash_demo", &[]).await;
    let other = app.new_client();
    let html = app.html_with(&other, "/flash-demo").await;
    assert_eq!(banner(&html), []);
    assert_eq!(banner(&page(&app, "/flash-demo").await), pairs(&SHOWN));
}

#[tokio::test]
async fn a_page_view_with_no_flash_waiting_needs_no_write_lock() {
    // A writer that waits for the lock waits this long, longer than the client's patience
    // (15 s): a page view that tried to write would fail the test instead of passing late.
    let app = common::spawn_app_with(|config| {
        config.database.busy_timeout = std::time::Duration::from_secs(60);
        config.database.statement_timeout = std::time::Duration::from_secs(60);
    })
    .await;
    // A session that has had flashes (so the page looks for them), all shown.
    assert_eq!(app.post_form("/api/flash_demo", &[]).await.status(), 303);
    assert_eq!(banner(&page(&app, "/flash-demo").await).len(), DEMO.len());

    // Another process holds SQLite's write lock; on PostgreSQL, locks against every write to
    // the tables a page view could write (reads go on).
    let hold = match app.backend() {
        flashboard::db::Backend::Sqlite => vec!["BEGIN IMMEDIATE"],
        flashboard::db::Backend::Postgres => vec![
            "BEGIN",
            "LOCK TABLE tower_sessions, flash, users, auth_events, ip_limits IN EXCLUSIVE MODE",
        ],
    };
    let mut other = app.pool.acquire().await.unwrap();
    for sql in hold {
        sqlx::query(sql).execute(&mut *other).await.unwrap();
    }

    for path in ["/", "/flash-demo", "/settings", "/login"] {
        assert_eq!(banner(&page(&app, path).await), [], "{path}");
    }
    sqlx::query("ROLLBACK").execute(&mut *other).await.unwrap();
}

#[tokio::test]
async fn a_visitor_can_keep_success_and_info_flashes_on_screen() {
    let app = spawn_app().await;
    let keep = |html: &str| {
        let tag = &html[html.find("<html").unwrap()..];
        tag[..tag.find('>').unwrap()].contains(r#"data-flashes="keep""#)
    };
    assert!(
        !keep(&app.html("/").await),
        "they go by themselves by default"
    );
    let form = [
        ("theme", "system"),
        ("density", "comfortable"),
        ("keep_flashes", "on"),
    ];
    let res = app.post_form("/api/save_preferences", &form).await;
    assert_eq!(res.status(), 303);
    let html = app.html("/settings").await;
    assert!(keep(&html), "{html}");
    assert!(
        html.contains(r#"name="keep_flashes" value="on" checked"#),
        "{html}"
    );
    // Saved without the box: back to going by themselves.
    app.post_form("/api/save_preferences", &form[..2]).await;
    assert!(!keep(&app.html("/").await));
    app.post_form("/api/save_preferences", &form).await;
    app.post_form("/api/reset_preferences", &[]).await;
    assert!(!keep(&app.html("/").await), "reset forgets it");
}
