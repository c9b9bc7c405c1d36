//! Hardening over real HTTP: cross-site refusal, security headers, throttling, malformed and
//! oversized bodies, the auth event log, log-in timing, and what the logs must never contain.

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use common::{banner, csp_nonce, spawn_app, spawn_app_with};

/// Everything the servers in this test binary log, for the "no password in the logs" test.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("debug,sqlx=warn,hyper=warn,h2=warn")
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        logs
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn register(app: &common::TestApp, name: &str) {
    let res = app
        .register(name, &format!("{name}@example.com"), "Password123")
        .await;
    assert_eq!(res.headers()["location"], "/login");
}

async fn users(app: &common::TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let form = [
        ("username", "victim"),
        ("email", "victim@example.com"),
        ("password", "Password123"),
    ];
    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.example"),
    ] {
        let res = app
            .client
            .post(app.url("/api/register"))
            .header(header, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{header}: {value}");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Cross-site request refused")
        );
    }
    assert_eq!(users(&app).await, 0, "a refused request registered someone");

    // Log-in CSRF: the attacker's page posts the attacker's own credentials.
    register(&app, "attacker").await;
    let victim = app.new_client();
    let res = victim
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "attacker"), ("password", "Password123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session for the victim"
    );

    // Same origin, as the browser sends it from the app's own pages, works.
    let res = app
        .client
        .post(app.url("/api/register"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", &app.base_url)
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(users(&app).await, 2);
    let res = app
        .client
        .post(app.url("/api/logout"))
        .header("origin", &app.base_url)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().as_u16() < 400,
        "an Origin naming this host passes: {}",
        res.status()
    );
}

#[tokio::test]
async fn security_headers_on_pages_errors_static_files_and_api() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/",
        "/nope",
        "/pkg/flashboard.css",
        "/healthz",
        "/api/take_flashes",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{path}");
        assert_eq!(h["cross-origin-resource-policy"], "same-origin", "{path}");
        let permissions = h["permissions-policy"].to_str().unwrap();
        for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
            assert!(permissions.contains(feature), "{path}: {permissions}");
        }
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain dev HTTP"
        );
    }
    // Pages carry a nonce that their inline scripts use.
    let res = app.get("/").await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp_nonce(&csp)
        .expect("a page's policy has a nonce")
        .to_owned();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    assert_eq!(app.get("/").await.headers()["cache-control"], "no-store");
    let res = app.login("nobody", "Password123").await;
    assert_eq!(res.headers()["cache-control"], "no-store", "auth responses");

    let secure = spawn_app_with(|config| config.session.secure = Some(true)).await;
    let res = secure.get("/").await;
    let hsts = res.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
}

/// The nonce of a `Content-Security-Policy` value, if it has one.
/// Pages, the 404 page, static files and server functions served at the same time each get
/// their own response headers. (leptos_axum once let a static file's response take a page render's
/// headers, CSP included, when both ran on one thread: the page then blocked its own scripts.)
#[tokio::test]
async fn concurrent_requests_keep_their_own_headers() {
    let app = spawn_app().await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..25 {
        for path in [
            "/login",
            "/pkg/flashboard.css",
            "/nope",
            "/api/current_user",
        ] {
            let (client, url) = (app.new_client(), app.url(path));
            requests.spawn(async move {
                let request = if path.starts_with("/api/") {
                    client.post(url).header("accept", "application/json")
                } else {
                    client.get(url).header("accept", "text/html")
                };
                let res = request.send().await.expect("request");
                let csp = res.headers()["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                (path, csp, res.text().await.unwrap())
            });
        }
    }
    let mut pages = 0;
    while let Some(result) = requests.join_next().await {
        let (path, csp, body) = result.unwrap();
        if path.starts_with("/pkg/") || path.starts_with("/api/") {
            assert_eq!(csp_nonce(&csp), None, "{path} took a page's policy: {csp}");
        } else {
            let nonce = csp_nonce(&csp).unwrap_or_else(|| panic!("{path} lost its nonce: {csp}"));
            assert!(
                body.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: the scripts carry the header's nonce"
            );
            pages += 1;
        }
    }
    assert_eq!(pages, 50);
}

#[tokio::test]
async fn failed_log_ins_are_throttled_per_account_and_others_still_log_in() {
    // On a clock that stands still: the sixth attempt comes within the delay, however slow
    // the machine.
    let app = spawn_app_with(|config| config.clock = flashboard::clock::Clock::manual()).await;
    register(&app, "target").await;
    register(&app, "bystander").await;
    for attempt in 0..5 {
        let res = app.login("target", "wrong-password").await;
        assert_eq!(res.status(), 303, "attempt {attempt} is not throttled yet");
    }
    // The sixth, right away, must wait (even with the right password).
    let res = app.login("target", "Password123").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Please try again in"));
    let html = app.html("/login").await;
    assert!(
        banner(&html)
            .iter()
            .any(|(c, m)| c == "warning" && m.contains("Please try again in")),
        "{:?}",
        banner(&html)
    );
    // Another account, from the same address, is unaffected.
    let res = app.login("bystander", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");

    let kinds: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT kind, username FROM auth_events ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let count = |kind: &str| kinds.iter().filter(|(k, _)| k == kind).count();
    assert_eq!(count("register"), 2);
    assert_eq!(count("login_failed"), 5);
    assert_eq!(count("throttled"), 1);
    assert_eq!(count("login"), 1);
    let ips: Vec<String> = sqlx::query_scalar("SELECT DISTINCT ip FROM auth_events")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(ips, ["127.0.0.1"]);
}

/// Posts a log-in from `client` (a browser of its own) as a plain form would.
async fn log_in_from(
    app: &common::TestApp,
    client: &reqwest::Client,
    name: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .form(&[("username", name), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_strangers_failures_never_keep_the_owners_browser_waiting() {
    // The clock stands still: every delay below is exactly as long as the rules say.
    let clock = flashboard::clock::Clock::manual();
    let app_clock = clock.clone();
    let app = spawn_app_with(move |config| config.clock = app_clock).await;
    register(&app, "owner").await;
    // The owner logs in once in their browser, which keeps a device cookie, and logs out.
    let owner = app.new_client();
    let res = log_in_from(&app, &owner, "owner", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|cookie| cookie.starts_with("flashboard_device="))
        .expect("a device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Strict"),
        "{device}"
    );
    let res = owner
        .post(app.url("/api/logout"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    // A stranger keeps guessing: after the free failures the account must wait.
    let stranger = app.new_client();
    for _ in 0..6 {
        log_in_from(&app, &stranger, "owner", "guess").await;
    }
    let res = log_in_from(&app, &stranger, "owner", "guess").await;
    assert_eq!(res.status(), 429, "the stranger is slowed down");

    // The owner's browser, with its device cookie, gets in at the first try.
    let res = log_in_from(&app, &owner, "owner", "Password123").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");

    // A browser without one shares the account's delay, even with the right password.
    let elsewhere = app.new_client();
    let res = log_in_from(&app, &elsewhere, "owner", "Password123").await;
    assert_eq!(res.status(), 429);

    // A device cookie buys only its own failures: the owner's browser, failing in turn, is
    // slowed down after the free ones, while the account's delay is unchanged.
    for _ in 0..5 {
        let res = log_in_from(&app, &owner, "owner", "typo").await;
        assert_eq!(res.status(), 303, "its own free failures");
    }
    let res = log_in_from(&app, &owner, "owner", "Password123").await;
    assert_eq!(res.status(), 429, "its own failures count");
    clock.advance(std::time::Duration::from_secs(1));
    let res = log_in_from(&app, &owner, "owner", "Password123").await;
    assert_eq!(
        res.headers()["location"],
        "/dashboard",
        "after its own 1 s delay"
    );

    let devices: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT device FROM auth_events WHERE kind = 'login_failed' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(devices.len(), 5 + 5, "{devices:?}");

    // A device that keeps failing is trusted no more: after 10 failures in the hour its
    // attempts count with everyone else's (OWASP's lock-out of a device cookie).
    for _ in 0..10 {
        clock.advance(std::time::Duration::from_secs(40));
        let res = log_in_from(&app, &owner, "owner", "typo").await;
        assert_eq!(res.status(), 303);
    }
    clock.advance(std::time::Duration::from_secs(40));
    log_in_from(&app, &owner, "owner", "typo").await;
    let last: Option<String> = sqlx::query_scalar(
        "SELECT device FROM auth_events WHERE kind = 'login_failed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(last, None, "counted with the account's shared failures");
    assert!(
        devices[..5].iter().all(Option::is_none),
        "the stranger's: untrusted"
    );
    assert!(
        devices[5..].iter().all(Option::is_some),
        "the owner's: its device"
    );
}

#[tokio::test]
async fn the_throttle_reads_the_user_name_as_the_log_in_does() {
    // On a clock that stands still: the sixth attempt comes within the delay, however slow
    // the machine.
    let app = spawn_app_with(|config| config.clock = flashboard::clock::Clock::manual()).await;
    register(&app, "target").await;
    // `[username]` is `username` to the server function's decoder (serde_qs): these guesses
    // reach the password check, so they must count for the account.
    for _ in 0..5 {
        let res = app
            .client
            .post(app.url("/api/login"))
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("%5Busername%5D=target&password=wrong-password")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
    }
    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM auth_events WHERE kind = 'login_failed' AND username_key = 'target'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(failed, 5, "the bracketed name reached the password check");
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%5Busername%5D=target&password=wrong-password")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the account's delay applies to it");
}

#[tokio::test]
async fn refused_attempts_are_logged_one_row_a_minute_and_old_events_are_pruned() {
    let clock = flashboard::clock::Clock::manual();
    let app_clock = clock.clone();
    let app = spawn_app_with(move |config| {
        config.clock = app_clock;
        // Only the per-account delay here (the per-IP limit keeps real time).
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(1000).unwrap();
    })
    .await;
    register(&app, "target").await;
    for _ in 0..5 {
        app.login("target", "wrong-password").await;
    }
    for _ in 0..20 {
        assert_eq!(app.login("target", "wrong-password").await.status(), 429);
    }
    let throttled = || async {
        sqlx::query_as::<_, (Option<String>, i64)>(
            "SELECT username_key, count FROM auth_events WHERE kind = 'throttled' ORDER BY id",
        )
        .fetch_all(&app.pool)
        .await
        .unwrap()
    };
    assert_eq!(throttled().await, [(Some("target".to_owned()), 20)]);
    // A minute later, a new row.
    clock.advance(std::time::Duration::from_secs(61));
    for _ in 0..6 {
        app.login("target", "wrong-password").await;
    }
    let rows = throttled().await;
    assert_eq!(rows.len(), 2, "{rows:?}");

    // Retention: events older than it go, newer ones stay.
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let ninety_days = 90 * 24 * 3600;
    let now = clock.now_unix();
    assert_eq!(
        flashboard::auth::events::prune(&app.state.db, ninety_days, now)
            .await
            .unwrap(),
        0
    );
    let deleted =
        flashboard::auth::events::prune(&app.state.db, ninety_days, now + ninety_days + 62)
            .await
            .unwrap();
    assert_eq!(deleted as i64, total, "all of them are past it then");
}

#[tokio::test]
async fn ten_thousand_cookieless_requests_leave_at_most_a_hundred_rows() {
    use futures::StreamExt;

    let app = spawn_app().await;
    register(&app, "target").await;
    app.html("/login").await; // shows the registration flash
    let rows = || async {
        let mut total = 0;
        for table in ["tower_sessions", "flash", "auth_events"] {
            let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&app.pool)
                .await
                .unwrap();
            total += count;
        }
        total
    };
    let before = rows().await;
    // No cookie store: every request is a new visitor, as from a script.
    let cookieless = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let statuses: Vec<u16> = futures::stream::iter(0..10_000)
        .map(|i| {
            let request = match i % 6 {
                0 => cookieless.get(app.url("/dashboard")),
                1 => cookieless.post(app.url("/api/flash_demo")),
                2 => cookieless
                    .post(app.url("/api/flash_custom"))
                    .form(&[("category", "stock_alert"), ("message", "Flood")]),
                3 => cookieless
                    .post(app.url("/api/save_preferences"))
                    .form(&[("theme", "dark"), ("density", "compact")]),
                4 => cookieless
                    .post(app.url("/api/login"))
                    .form(&[("username", "target"), ("password", "wrong-password")]),
                _ => cookieless.post(app.url("/api/register")).form(&[
                    ("username", format!("flood{i}")),
                    ("email", format!("flood{i}@example.com")),
                    ("password", "Password123".to_owned()),
                ]),
            };
            async move { request.send().await.unwrap().status().as_u16() }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(
        statuses.iter().all(|status| *status < 500),
        "no server errors"
    );
    assert!(statuses.contains(&429), "the auth posts were throttled");
    let added = rows().await - before;
    eprintln!("10,000 cookieless requests added {added} rows");
    assert!(added <= 100, "{added} new rows");
    // A visitor still sees what is meant for them (the HTTP flash tests cover the rest).
    assert_eq!(app.get("/dashboard").await.status(), 303);
    let html = app.html("/login").await;
    assert_eq!(
        banner(&html),
        [("warning".to_owned(), "Please log in first.".to_owned())]
    );
}

#[tokio::test]
async fn auth_posts_are_limited_per_client_ip() {
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(3).unwrap()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.login("someone", "x").await.status(), 303);
    }
    let res = app.login("someone-else", "x").await;
    assert_eq!(res.status(), 429);
    // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("x-forwarded-for", "198.51.100.1")
        .form(&[("username", "a"), ("password", "b")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    // Pages are not limited.
    assert_eq!(app.get("/login").await.status(), 200);
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_4xx_with_a_message() {
    let app = spawn_app().await;
    let huge = "a".repeat(100_000);
    let res = app
        .post_form("/api/login", &[("username", "x"), ("password", &huge)])
        .await;
    assert_eq!(res.status(), 413);

    let send = |content_type: &'static str, body: Vec<u8>| {
        let request = app
            .client
            .post(app.url("/api/register"))
            .header("content-type", content_type)
            .body(body);
        async move { request.send().await.unwrap() }
    };
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", b"username=a".to_vec()),
        (
            "application/x-www-form-urlencoded",
            b"username=\xff\xfe&email=a&password=b".to_vec(),
        ),
        ("application/x-www-form-urlencoded", b"&&&===%%%".to_vec()),
        ("application/json", b"{not json".to_vec()),
    ] {
        let res = send(content_type, body.clone()).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, 400, "{:?}: {text}", String::from_utf8_lossy(&body));
        assert!(text.contains("Bad request"), "{text}");
    }
    assert_eq!(users(&app).await, 0);
    assert_eq!(app.get("/healthz").await.status(), 200, "still serving");
}

#[tokio::test]
async fn implausible_log_ins_are_refused_like_wrong_ones_without_hashing() {
    let app = spawn_app().await;
    register(&app, "longpass").await;
    let long = "p".repeat(10_000);
    let res = app.login("longpass", &long).await;
    assert_eq!(res.headers()["location"], "/login");
    let html = app.html("/login").await;
    assert!(
        banner(&html).contains(&("error".to_owned(), "Wrong username or password.".to_owned())),
        "{:?}",
        banner(&html)
    );
    let kept: String = sqlx::query_scalar(
        "SELECT kind FROM auth_events WHERE kind = 'login_failed' AND username = 'longpass'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, "login_failed", "still counted as a failed log-in");
    let res = app.login(&"n".repeat(5_000), "Password123").await;
    assert_eq!(res.headers()["location"], "/login");
    let html = app.html("/login").await;
    assert!(
        !html.contains(&"n".repeat(300)),
        "a huge name is not echoed whole"
    );
}

#[tokio::test]
async fn unknown_user_and_wrong_password_cost_the_same_work() {
    // Counted, not timed: each costs exactly one Argon2id verification, against a hash with the
    // same parameters, so an attacker cannot tell a registered name by the answer's time.
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(10_000).unwrap()
    })
    .await;
    register(&app, "timed").await;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let stored_parameters =
        flashboard::auth::password::parameters_of(&argon2::PasswordHash::new(&stored).unwrap());
    assert_eq!(
        app.state.passwords.dummy_parameters(),
        Some(stored_parameters)
    );

    // The registration's flash, shown.
    app.html("/login").await;
    let passwords = &app.state.passwords;
    for (name, what) in [("nobody", "unknown user"), ("timed", "wrong password")] {
        let before = passwords.hashes_done();
        // A plausible password (8+ characters): implausible ones are refused without a hash,
        // whoever the user, which is a different (and harmless) cost.
        let res = app.login(name, "wrong-password").await;
        assert_eq!(res.headers()["location"], "/login", "{what}");
        assert_eq!(passwords.hashes_done() - before, 1, "{what}: one hash");
        assert_eq!(
            banner(&app.html("/login").await),
            [("error".to_owned(), "Wrong username or password.".to_owned())],
            "{what}: the same answer"
        );
    }
}

#[tokio::test]
async fn passwords_and_session_ids_never_reach_the_logs() {
    let logs = captured_logs();
    let app = spawn_app().await;
    let secret = "Correct-Horse-Battery-9";
    let res = app.register("logged", "logged@example.com", secret).await;
    assert_eq!(res.status(), 303);
    app.login("logged", "Not-The-Password-7").await;
    app.login("logged", secret).await;
    let id = app.session_id().unwrap();
    let cookie = app.session_cookie().unwrap();
    app.get("/dashboard").await;
    app.post_form("/api/logout", &[]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        text.contains("login_failed"),
        "the failed attempt is logged"
    );
    assert!(text.contains("logged"), "with the user name");
    for forbidden in [secret, "Not-The-Password-7", &id, &cookie, "$argon2id$"] {
        assert!(!text.contains(forbidden), "{forbidden} appears in the logs");
    }
}

#[tokio::test]
async fn clients_that_hang_up_cannot_run_more_hashes_at_once_than_the_bound() {
    use tokio::io::AsyncWriteExt;

    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(10_000).unwrap()
    })
    .await;
    register(&app, "victim").await;
    let bound = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let passwords = &app.state.passwords;
    let before = passwords.hashes_done();

    // Log-ins that hang up as soon as they are sent: the server drops each request's handler,
    // and the hash it started must still hold its place until it ends.
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let body = "username=victim&password=wrong-password-1";
    for _ in 0..12 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let request = format!(
            "POST /api/login HTTP/1.1\r\nHost: {address}\r\nAccept: text/html\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        drop(stream);
    }
    // One that waits for its answer, so at least the server has seen them all by then.
    let res = app.login("victim", "wrong-password-2").await;
    assert_eq!(res.headers()["location"], "/login");
    // Then until no hash runs any more (each ends by itself; this only waits for them).
    for _ in 0..1_000 {
        if passwords.running() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(passwords.running(), 0);
    // Every log-in the server read ran its hash to the end (none failed for a full queue).
    assert!(passwords.hashes_done() > before, "the log-ins hashed");
    assert!(
        passwords.most_at_once() <= bound,
        "{} hashes were admitted at once; the bound is {bound}",
        passwords.most_at_once()
    );
}

#[tokio::test]
async fn simultaneous_wrong_passwords_cannot_all_pass_the_account_check() {
    // The check runs before the hash and the failure is recorded after it: each attempt still
    // being evaluated counts as a failure, so 30 at once get at most the free ones hashed.
    // (On a clock that stands still: no attempt is let through by the next second coming.)
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(10_000).unwrap();
        config.clock = flashboard::clock::Clock::manual();
    })
    .await;
    register(&app, "raced").await;
    let passwords = &app.state.passwords;
    let before = passwords.hashes_done();
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let request = common::client()
                .post(app.url("/api/login"))
                .header("accept", "text/html")
                .form(&[("username", "raced"), ("password", "wrong-password")]);
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap().as_u16());
    }
    let hashed = (passwords.hashes_done() - before) as usize;
    let free = flashboard::auth::throttle::FREE_FAILURES as usize;
    assert!(
        (1..=free).contains(&hashed),
        "{hashed} hashes for {statuses:?}"
    );
    let answered = statuses.iter().filter(|status| **status == 303).count();
    assert_eq!(answered, hashed, "{statuses:?}");
    let throttled = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(throttled, 30 - hashed, "{statuses:?}");
    assert_eq!(
        flashboard::db::login_attempts::held(&app.state.db)
            .await
            .unwrap(),
        0,
        "nothing left reserved"
    );
}
