//! Database faults, over real HTTP, on a real SQLite file: the disk full, the write lock held by
//! another connection, the file made read-only, and a background task failing half-way.
//!
//! While each lasts: a write answers `503` with `Retry-After` and words a user can act on
//! (never `500`), `/readyz` and `/healthz` answer `503` with the reason, `/livez` stays `200`, and nothing
//! is half-written. Once it is gone, the very next request succeeds, without a restart, and
//! the outage was logged once.
#![cfg(feature = "ssr")]

mod common;

use std::{path::PathBuf, process::Command, str::FromStr, time::Duration};

use common::{TestApp, spawn_app_with};
use flashboard::{
    clock::Clock,
    error::AppError,
    text::{Lang, t},
};
use sqlx::{
    Connection, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
};

/// An app on a clock the test moves, whose writes wait at most 200 ms for a lock; alice is
/// logged in on `app.client`, bob has an account.
struct Scene {
    app: TestApp,
    clock: Clock,
}

async fn scene() -> Scene {
    let clock = Clock::manual();
    let app_clock = clock.clone();
    let app = spawn_app_with(move |config| {
        config.clock = app_clock;
        config.database.busy_timeout = Duration::from_millis(200);
    })
    .await;
    app.signed_in("alice").await;
    let res = register(&app, "bob").await;
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(app.get("/readyz").await.status(), 200);
    Scene { app, clock }
}

/// Registers `name` from a browser of its own.
async fn register(app: &TestApp, name: &str) -> reqwest::Response {
    let form = [
        ("username", name),
        ("email", &format!("{name}@example.com")),
        ("password", "Password123"),
    ];
    post_from(&app.new_client(), app, "/api/register", &form).await
}

/// A plain form post (no JavaScript) from `client`.
async fn post_from(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn log_in_bob(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    let form = [("username", "bob"), ("password", "Password123")];
    post_from(client, app, "/api/login", &form).await
}

/// `res` is the answer for a write the database could not take.
async fn assert_unavailable(res: reqwest::Response, what: &str) {
    assert_eq!(res.status(), 503, "{what}");
    assert_eq!(res.headers()["retry-after"], "5", "{what}");
    assert!(
        !res.headers().contains_key("set-cookie"),
        "{what}: no cookie from a failed request"
    );
    let body = res.text().await.unwrap();
    assert!(
        body.contains(t(Lang::En).error_unavailable),
        "{what}: {body}"
    );
}

/// `/readyz` and `/healthz` say the database is unavailable, for `reason`; `/livez` says the
/// process is alive, and what is wrong.
async fn assert_not_ready(scene: &Scene, reason: &str) {
    // The probe runs at most once a second: a second later, it runs again.
    scene.clock.advance(Duration::from_secs(1));
    let res = scene.app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "unavailable", "backend": "sqlite", "database": reason})
    );
    let res = scene.app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "unavailable", "backend": "sqlite", "database": reason})
    );
    let res = scene.app.get("/livez").await;
    assert_eq!(res.status(), 200, "alive: a restart would not help");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], reason);
}

/// The writes that failed left nothing behind (asked once the fault is gone); then every one
/// of them succeeds at the first try, readiness comes back, and the outage was logged once.
async fn assert_recovered(scene: &Scene) {
    let app = &scene.app;
    let carols: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE username_key = 'carol'")
        .fetch_one(app.sqlite_pool())
        .await
        .unwrap();
    assert_eq!(carols, 0, "no account from a failed registration");
    let bobs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tower_sessions WHERE user_id = (SELECT id FROM users WHERE username_key = 'bob')",
    )
    .fetch_one(app.sqlite_pool())
    .await
    .unwrap();
    assert_eq!(bobs, 0, "no session from a failed log-in");
    let page = app.html("/settings").await;
    assert!(page.contains("data-theme=\"system\""), "unchanged: {page}");

    let res = register(app, "carol").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let bob = app.new_client();
    let res = log_in_bob(app, &bob).await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let dashboard = app.html_with(&bob, "/dashboard").await;
    assert!(dashboard.contains("Hello, bob!"), "{dashboard}");
    let res = app
        .post_form(
            "/api/save_preferences",
            &[("theme", "dark"), ("density", "compact")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(app.html("/settings").await.contains("data-theme=\"dark\""));

    scene.clock.advance(Duration::from_secs(1));
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "ready", "backend": "sqlite", "database": "ok"})
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
    let health = &app.state.db_health;
    assert_eq!(health.down(), None);
    assert_eq!(health.outages(), 1, "one outage, logged once");
}

/// The writes every fault test tries while the fault lasts.
async fn assert_writes_refused(scene: &Scene) {
    let app = &scene.app;
    assert_unavailable(register(app, "carol").await, "registration").await;
    assert_unavailable(log_in_bob(app, &app.new_client()).await, "log-in").await;
}

/// Runs `sql` on every connection of the app's pool (for per-connection settings such as
/// `max_page_count`): takes them all at once, so the pool opens all it may.
async fn on_every_connection(app: &TestApp, sql: &str) {
    let mut held = Vec::new();
    for _ in 0..app.config.database.max_connections.get() {
        held.push(app.sqlite_pool().acquire().await.unwrap());
    }
    for conn in &mut held {
        sqlx::query(sql).execute(&mut **conn).await.unwrap();
    }
}

/// Caps the database at its size: no connection of the app may grow the file, and the free
/// pages inside it are taken; rows that fit in the pages the tables have still go in.
async fn cap_the_disk(app: &TestApp) -> sqlx::pool::PoolConnection<sqlx::Sqlite> {
    sqlx::query("CREATE TABLE IF NOT EXISTS ballast (b BLOB)")
        .execute(app.sqlite_pool())
        .await
        .unwrap();
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(app.sqlite_pool())
        .await
        .unwrap();
    on_every_connection(app, &format!("PRAGMA max_page_count = {pages}")).await;
    let mut conn = app.sqlite_pool().acquire().await.unwrap();
    fill(
        &mut conn,
        "INSERT INTO ballast SELECT zeroblob(1000) WHERE ?1 IS NOT NULL",
    )
    .await;
    conn
}

/// Fills the database to its size limit, as a full disk would: the tables a registration and a
/// log-in write to have no room left either.
async fn fill_the_disk(app: &TestApp) {
    let mut conn = cap_the_disk(app).await;
    fill(
        &mut conn,
        "INSERT INTO users (username, username_key, email, password_hash) \
         VALUES (?1, ?1, 'ballast@example.com', 'x')",
    )
    .await;
    fill(
        &mut conn,
        "INSERT INTO tower_sessions (id, data, expiry_date) VALUES (?1, x'00', 4102444800)",
    )
    .await;
}

/// Runs `sql` (with a new key as `?1`) until the database is full: rows at both ends of each
/// index.
async fn fill(conn: &mut SqliteConnection, sql: &str) {
    for prefix in ["zz", "aa"] {
        for n in 0.. {
            let result = sqlx::query(sql)
                .bind(format!("{prefix}-ballast-{n}"))
                .execute(&mut *conn)
                .await;
            match result {
                Ok(_) => assert!(n < 100_000, "the size limit holds"),
                Err(err) => {
                    assert!(err.to_string().contains("full"), "{err}");
                    break;
                }
            }
        }
    }
}

async fn free_the_disk(app: &TestApp) {
    on_every_connection(app, "PRAGMA max_page_count = 4294967294").await;
}

#[tokio::test]
async fn a_full_disk_answers_503_and_the_next_request_after_space_returns_succeeds() {
    let scene = scene().await;
    let app = &scene.app;
    fill_the_disk(app).await;

    assert_writes_refused(&scene).await;
    // A server-function call gets the function's own error, with its words.
    let res = app
        .call(
            "/api/register",
            &[
                ("username", "carol"),
                ("email", "c@example.com"),
                ("password", "Password123"),
            ],
        )
        .await;
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("serverfnerror"));
    let error: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(error, AppError::Unavailable);
    assert_eq!(error.to_string(), t(Lang::En).error_unavailable);
    // Pages that only read keep working.
    let dashboard = app.html("/dashboard").await;
    assert!(dashboard.contains("Hello, alice!"), "{dashboard}");
    assert_eq!(
        app.new_client()
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_not_ready(&scene, "database or disk is full").await;

    free_the_disk(app).await;
    assert_recovered(&scene).await;
}

#[tokio::test]
async fn a_write_lock_held_elsewhere_answers_503_after_the_busy_timeout_and_recovers() {
    let scene = scene().await;
    let app = &scene.app;
    // Another connection (as another process would) takes SQLite's write lock and keeps it
    // for longer than the app's busy timeout.
    let options = SqliteConnectOptions::from_str(&app.config.database.url)
        .unwrap()
        .journal_mode(SqliteJournalMode::Wal);
    let mut other = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();

    assert_writes_refused(&scene).await;
    let res = app
        .post_form(
            "/api/save_preferences",
            &[("theme", "dark"), ("density", "compact")],
        )
        .await;
    assert_unavailable(res, "preferences").await;
    // Flashes alone, without JavaScript: told, not redirected back as if they were pushed.
    let res = app.post_form("/api/flash_demo", &[]).await;
    assert_unavailable(res, "flash demo").await;
    // A log-out that cannot delete the session leaves it whole: still logged in.
    assert_unavailable(app.post_form("/api/logout", &[]).await, "log-out").await;
    let dashboard = app.html("/dashboard").await;
    assert!(
        dashboard.contains("Hello, alice!"),
        "reads need no lock: {dashboard}"
    );
    // A minute on, a page view also notes that the session was used (a write): the page does
    // not need that note, so it is served without it.
    scene.clock.advance(Duration::from_secs(61));
    let res = app.get("/dashboard").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Hello, alice!"));
    assert_not_ready(&scene, "database is locked by another connection").await;

    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    assert_recovered(&scene).await;
}

/// Makes files read-only for everyone, root included (the immutable attribute: writes through
/// files already open fail too, as on a filesystem remounted read-only), until dropped.
struct ReadOnly(Vec<PathBuf>);

impl ReadOnly {
    fn make(paths: Vec<PathBuf>) -> Self {
        chattr("+i", &paths);
        Self(paths)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        chattr("-i", &self.0);
    }
}

/// `chattr` as root, else through `sudo -n` (the set-up script needs root or sudo too).
fn chattr(flag: &str, paths: &[PathBuf]) {
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = if root {
        Command::new("chattr")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", "chattr"]);
        sudo
    };
    let status = command.arg(flag).args(paths).status();
    assert!(
        matches!(status, Ok(status) if status.success()),
        "`chattr {flag}` failed ({status:?}): this test needs root or password-less sudo, and \
         a filesystem with the immutable attribute (ext4, tmpfs, ...) for its temporary files"
    );
}

#[tokio::test]
async fn a_read_only_database_answers_503_and_recovers_when_writable_again() {
    let scene = scene().await;
    let app = &scene.app;
    let db = app.database_path();
    // The database and its write-ahead log. (Not the shared-memory index, which SQLite maps
    // into memory: a write into a mapping of an immutable file is a SIGBUS, not an error.)
    let files = ["", "-wal"]
        .into_iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|path| path.exists())
        .collect();
    let read_only = ReadOnly::make(files);

    assert_writes_refused(&scene).await;
    // SQLite reports a file it cannot write to as an I/O error, or as read-only when it opens
    // one read-only.
    scene.clock.advance(Duration::from_secs(1));
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    let reason = body["database"].as_str().unwrap();
    assert!(
        ["database I/O error", "database is read-only"].contains(&reason),
        "{reason}"
    );
    assert_not_ready(&scene, reason).await;

    drop(read_only);
    assert_recovered(&scene).await;
}

#[tokio::test]
async fn a_sweep_that_fails_half_way_keeps_its_done_batches_frees_the_lock_and_finishes_later() {
    let scene = scene().await;
    let app = &scene.app;
    // 250 expired sessions: the sweeper's batches of 100 take them oldest first.
    let now = scene.clock.now_unix();
    for n in 0..250 {
        sqlx::query("INSERT INTO tower_sessions (id, data, expiry_date) VALUES (?, x'00', ?)")
            .bind(format!("expired-{n:03}"))
            .bind(now - 1000 + n)
            .execute(app.sqlite_pool())
            .await
            .unwrap();
    }
    // Deleting the 151st (in the second batch) needs room the full disk does not have.
    sqlx::query("CREATE TABLE ballast (b BLOB)")
        .execute(app.sqlite_pool())
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER needs_room AFTER DELETE ON tower_sessions WHEN OLD.id = 'expired-150' \
         BEGIN INSERT INTO ballast VALUES (zeroblob(65536)); END",
    )
    .execute(app.sqlite_pool())
    .await
    .unwrap();
    fill_the_disk(app).await;
    let expired = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM tower_sessions WHERE id LIKE 'expired-%'")
            .fetch_one(app.sqlite_pool())
            .await
            .unwrap()
    };

    let store = app.session_store();
    let err = store.sweep().await.unwrap_err();
    assert!(err.to_string().contains("full"), "{err}");
    assert_eq!(
        expired().await,
        150,
        "the first batch stays deleted, the failed one whole"
    );
    // The failed batch holds no lock: another connection writes at once.
    let options = SqliteConnectOptions::from_str(&app.config.database.url)
        .unwrap()
        .busy_timeout(Duration::ZERO);
    let mut other = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("UPDATE tower_sessions SET expiry_date = expiry_date WHERE id = 'zz-ballast-0'")
        .execute(&mut other)
        .await
        .unwrap();
    assert!(app.html("/dashboard").await.contains("Hello, alice!"));
    assert_not_ready(&scene, "database or disk is full").await;

    free_the_disk(app).await;
    assert_eq!(
        store.sweep().await.unwrap(),
        150,
        "the next sweep finishes the work"
    );
    assert_eq!(expired().await, 0);
    assert_recovered(&scene).await;
}

/// A flash the database cannot take: after a change that is stored (a log-in), the answer stays
/// the success it is; before one (preferences, saved with the session after the answer), the
/// change is not made and the answer says so.
#[tokio::test]
async fn a_flash_that_cannot_be_saved_fails_only_what_is_not_done_yet() {
    let scene = scene().await;
    let app = &scene.app;
    // The session's row fits in the table's pages; a flash needs room there is none of. (The
    // trigger is made first: on a capped disk, the schema may have no room for it.)
    for sql in [
        "CREATE TABLE IF NOT EXISTS ballast (b BLOB)",
        "CREATE TRIGGER flash_needs_room BEFORE INSERT ON flash \
         BEGIN INSERT INTO ballast VALUES (zeroblob(65536)); END",
    ] {
        sqlx::query(sql).execute(app.sqlite_pool()).await.unwrap();
    }
    let _conn = cap_the_disk(app).await;
    drop(_conn);

    let bob = app.new_client();
    let res = log_in_bob(app, &bob).await;
    assert_eq!(
        res.status(),
        303,
        "the log-in happened; only its welcome is lost"
    );
    assert_eq!(res.headers()["location"], "/dashboard");
    let dashboard = bob.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(dashboard.status(), 200);
    let html = dashboard.text().await.unwrap();
    assert!(html.contains("Hello, bob!"), "{html}");
    assert!(!html.contains("Welcome back"), "{html}");

    // Without JavaScript, alice's preferences and their "saved" flash.
    let res = app
        .post_form(
            "/api/save_preferences",
            &[("theme", "dark"), ("density", "compact")],
        )
        .await;
    assert_unavailable(res, "preferences whose flash cannot be saved").await;
    let page = app.html("/settings").await;
    assert!(page.contains("data-theme=\"system\""), "not saved: {page}");
}
