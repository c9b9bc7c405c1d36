//! Sessions over real HTTP: cookie attributes per mode, lifetimes (idle, absolute, remembered)
//! with timeouts shortened through the settings, the sweeper, the log-out race with a slow
//! request, devices, preferences and the inspector.

mod common;

use std::{sync::Arc, time::Duration};

use common::{banner, spawn_app, spawn_app_with, spawn_app_with_routes, spawn_app_with_secrets};
use flashboard::{
    clock::Clock,
    server::{
        config::Mode,
        secret::{SecretKey, Secrets},
    },
};
use tokio::sync::Notify;

/// The `Set-Cookie` header of `response` that sets `name`, if any.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The attributes of a `Set-Cookie` value, lower-cased names, e.g. `("max-age", "60")`.
fn attributes(cookie: &str) -> Vec<(String, String)> {
    cookie
        .split(';')
        .skip(1)
        .map(|attribute| {
            let (name, value) = attribute
                .trim()
                .split_once('=')
                .unwrap_or((attribute.trim(), ""));
            (name.to_ascii_lowercase(), value.to_owned())
        })
        .collect()
}

fn attribute(cookie: &str, name: &str) -> Option<String> {
    attributes(cookie)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, value)| value)
}

/// Logs `username` in with the form path, "remember me" as given; returns the response.
async fn log_in(app: &common::TestApp, username: &str, remember: bool) -> reqwest::Response {
    let mut form = vec![("username", username), ("password", "Password123")];
    if remember {
        form.push(("remember", "on"));
    }
    let res = app.post_form("/api/login", &form).await;
    assert_eq!(res.headers()["location"], "/dashboard", "log-in failed");
    res
}

async fn register(app: &common::TestApp, username: &str) {
    let res = app
        .register(username, &format!("{username}@example.com"), "Password123")
        .await;
    assert_eq!(res.headers()["location"], "/login");
}

async fn count(app: &common::TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Whether the client's session is logged in (the dashboard loads instead of redirecting).
async fn logged_in(app: &common::TestApp) -> bool {
    let res = app.get("/dashboard").await;
    match res.status().as_u16() {
        200 => true,
        303 => false,
        other => panic!("unexpected status {other} for /dashboard"),
    }
}

#[tokio::test]
async fn dev_mode_cookie_is_http_only_lax_session_cookie_without_secure() {
    let app = spawn_app().await;
    register(&app, "devcookie").await;
    let res = log_in(&app, "devcookie", false).await;
    let cookie = set_cookie(&res, "flashboard_session").expect("session cookie set");
    let names: Vec<String> = attributes(&cookie).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"httponly".to_owned()), "{cookie}");
    assert_eq!(
        attribute(&cookie, "samesite").as_deref(),
        Some("Lax"),
        "{cookie}"
    );
    assert_eq!(attribute(&cookie, "path").as_deref(), Some("/"), "{cookie}");
    assert!(
        !names.contains(&"secure".to_owned()),
        "dev relaxes Secure: {cookie}"
    );
    assert!(
        !names.contains(&"max-age".to_owned()),
        "a browser-session cookie: {cookie}"
    );
    assert!(
        !names.contains(&"expires".to_owned()),
        "a browser-session cookie: {cookie}"
    );
}

#[tokio::test]
async fn production_cookie_is_secure_host_prefixed_and_http_only() {
    let app = spawn_app_with_secrets(Secrets::new(SecretKey::new(KEY_NOW)), |config| {
        config.mode = Mode::Production;
    })
    .await;
    // An anonymous visitor's flash travels in the visitor cookie, as locked down.
    let res = app.post_form("/api/flash_demo", &[]).await;
    assert_eq!(res.status(), 303);
    let visitor = set_cookie(&res, "__Host-flashboard_flash").expect("__Host- flash cookie");
    for required in ["secure", "httponly"] {
        assert!(
            attributes(&visitor)
                .iter()
                .any(|(name, _)| name == required),
            "{required}: {visitor}"
        );
    }
    // A log-in starts the session (and its cookie).
    register(&app, "secure").await;
    let res = app
        .post_form(
            "/api/login",
            &[("username", "secure"), ("password", "Password123")],
        )
        .await;
    let cookie = set_cookie(&res, "__Host-flashboard_session").expect("__Host- cookie set");
    let names: Vec<String> = attributes(&cookie).into_iter().map(|(n, _)| n).collect();
    for required in ["secure", "httponly"] {
        assert!(names.contains(&required.to_owned()), "{required}: {cookie}");
    }
    assert_eq!(
        attribute(&cookie, "samesite").as_deref(),
        Some("Lax"),
        "{cookie}"
    );
    assert_eq!(attribute(&cookie, "path").as_deref(), Some("/"), "{cookie}");
    assert!(
        !names.contains(&"domain".to_owned()),
        "__Host- forbids Domain: {cookie}"
    );
    assert!(!names.contains(&"max-age".to_owned()), "{cookie}");
}

#[tokio::test]
async fn production_start_up_refuses_a_guessable_key() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::backend::TestDatabase::create(dir.path()).await;
    let mut config = common::test_config(&database.url);
    config.mode = Mode::Production;
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("flashboard")
        .build();
    let built = flashboard::server::Server::builder(config, options)
        .secrets(Secrets::new(SecretKey::new(b"too short".to_vec())))
        .build()
        .await;
    let err = match built {
        Ok(_) => panic!("started with a 9-byte key"),
        Err(err) => err.to_string(),
    };
    assert!(err.contains("SECRET_KEY is too easy to guess"), "{err}");
    assert!(err.contains("openssl rand"), "{err}");
}

/// Random keys, as `openssl rand -hex 32` prints them.
const KEY_NOW: &str = "3c9f1b7e52d80a46f1e9c3b75d2a084e6f1c9b3d7a5e2f80c4b6d19e73a5f02c";
const KEY_BEFORE: &str = "a7e05d3b9c1f4e8260b7d5a3c9e1f47b2d806a5c3e9f1b7d4a2c0e86f5b3d91a";

/// `id` signed with `key`, as a session cookie's value.
fn signed(key: &tower_sessions::cookie::Key, id: &str) -> String {
    use tower_sessions::cookie::{Cookie, CookieJar};
    let mut jar = CookieJar::new();
    jar.signed_mut(key).add(Cookie::new("s", id.to_owned()));
    jar.get("s").unwrap().value().to_owned()
}

#[tokio::test]
async fn a_cookie_signed_with_a_previous_key_keeps_its_session_and_is_signed_again() {
    use flashboard::server::secret::cookie_keys;
    let secrets = Secrets {
        current: Some(SecretKey::new(KEY_NOW)),
        previous: vec![SecretKey::new(KEY_BEFORE)],
    };
    let app = spawn_app_with_secrets(secrets, |_| {}).await;
    register(&app, "rotated").await;
    log_in(&app, "rotated", true).await;
    let id = app.session_id().unwrap();
    let keys_of = |secret: &str| cookie_keys(&Secrets::new(SecretKey::new(secret)), None).unwrap();
    let (now, before) = (keys_of(KEY_NOW).current, keys_of(KEY_BEFORE).current);
    assert_eq!(app.session_cookie().unwrap(), signed(&now, &id));

    // Signed with the previous key: the same session, and the cookie comes back signed with
    // the current key, still persistent (the log-in was remembered).
    let res = app
        .get_with_session("/dashboard", &signed(&before, &id))
        .await;
    assert_eq!(res.status(), 200, "the previous key still verifies");
    let cookie = set_cookie(&res, "flashboard_session").expect("the cookie is sent again");
    assert!(
        cookie.starts_with(&format!("flashboard_session={}", signed(&now, &id))),
        "{cookie}"
    );
    assert!(attribute(&cookie, "max-age").is_some(), "{cookie}");
    assert!(res.text().await.unwrap().contains("Hello, rotated!"));

    // Signed with the current key: nothing to send again.
    let res = app.get_with_session("/dashboard", &signed(&now, &id)).await;
    assert_eq!(res.status(), 200);
    assert!(set_cookie(&res, "flashboard_session").is_none());

    // Signed with the key earlier versions made from the secret's raw bytes: refused (it could
    // be a guessable prefix of the secret).
    let legacy = tower_sessions::cookie::Key::from(KEY_NOW.as_bytes());
    let res = app
        .get_with_session("/dashboard", &signed(&legacy, &id))
        .await;
    assert_eq!(res.status(), 303, "the pre-derivation key is not trusted");

    // Signed with a key the server does not have: no session.
    let stranger = tower_sessions::cookie::Key::generate();
    let res = app
        .get_with_session("/dashboard", &signed(&stranger, &id))
        .await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn remember_me_sets_a_persistent_cookie_and_record_expiry_together() {
    let app = spawn_app().await;
    register(&app, "remembered").await;
    let res = log_in(&app, "remembered", true).await;
    let cookie = set_cookie(&res, "flashboard_session").unwrap();
    let max_age: i64 = attribute(&cookie, "max-age")
        .expect("remembered cookie has Max-Age")
        .parse()
        .unwrap();
    let thirty_days = 30 * 24 * 3600;
    assert!(
        (thirty_days - 5..=thirty_days).contains(&max_age),
        "{cookie}"
    );

    let id = app.session_id().unwrap();
    let record_end: i64 =
        sqlx::query_scalar("SELECT expiry_date FROM tower_sessions WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let cookie_end =
        tower_sessions::cookie::time::OffsetDateTime::now_utc().unix_timestamp() + max_age;
    assert!(
        (record_end - cookie_end).abs() <= 5,
        "record ends {record_end}, cookie in {max_age} s"
    );

    // A later request that sends the cookie again keeps it persistent.
    let res = app
        .post_form(
            "/api/save_preferences",
            &[("theme", "dark"), ("density", "compact")],
        )
        .await;
    let again = set_cookie(&res, "flashboard_session").expect("cookie sent again");
    assert!(attribute(&again, "max-age").is_some(), "{again}");
}

const MINUTE: Duration = Duration::from_secs(60);

/// An app whose session clock the test moves (`clock.advance`), with `adjust` applied.
async fn app_on_manual_clock(
    adjust: impl FnOnce(&mut flashboard::server::config::Config),
) -> (common::TestApp, Clock) {
    let clock = Clock::manual();
    let app_clock = clock.clone();
    let app = spawn_app_with(move |config| {
        config.clock = app_clock;
        adjust(config);
    })
    .await;
    (app, clock)
}

#[tokio::test]
async fn idle_timeout_ends_a_quiet_session_but_not_a_used_one() {
    let (app, clock) = app_on_manual_clock(|config| {
        config.session.idle_timeout = period(30 * MINUTE);
        config.session.absolute_timeout = period(12 * 60 * MINUTE);
    })
    .await;
    register(&app, "idler").await;
    log_in(&app, "idler", false).await;
    clock.advance(20 * MINUTE);
    assert!(logged_in(&app).await, "used within the idle timeout");
    clock.advance(20 * MINUTE);
    assert!(logged_in(&app).await, "the previous request extended it");
    clock.advance(29 * MINUTE);
    assert!(logged_in(&app).await, "a minute short of the timeout");
    clock.advance(31 * MINUTE);
    assert!(!logged_in(&app).await, "idle for longer than the timeout");
    let html = app.html("/login").await;
    assert_eq!(
        banner(&html),
        [(
            "warning".to_owned(),
            "Your session has ended. Please log in again.".to_owned()
        )]
    );
}

#[tokio::test]
async fn absolute_timeout_ends_a_busy_session() {
    let (app, clock) = app_on_manual_clock(|config| {
        config.session.idle_timeout = period(60 * MINUTE);
        config.session.absolute_timeout = period(3 * 60 * MINUTE);
    })
    .await;
    register(&app, "busy").await;
    log_in(&app, "busy", false).await;
    for _ in 0..3 {
        clock.advance(55 * MINUTE);
        assert!(logged_in(&app).await, "before the absolute timeout");
    }
    clock.advance(16 * MINUTE);
    assert!(
        !logged_in(&app).await,
        "busy, but past the absolute timeout"
    );
}

#[tokio::test]
async fn a_remembered_session_outlives_both_timeouts_until_its_own_end() {
    let (app, clock) = app_on_manual_clock(|config| {
        config.session.idle_timeout = period(30 * MINUTE);
        config.session.absolute_timeout = period(60 * MINUTE);
        config.session.remember_lifetime = period(30 * 24 * 60 * MINUTE);
    })
    .await;
    register(&app, "keeper").await;
    log_in(&app, "keeper", true).await;
    clock.advance(5 * 60 * MINUTE);
    assert!(logged_in(&app).await, "idle 5 h, past both timeouts");
    clock.advance(30 * 24 * 60 * MINUTE);
    assert!(!logged_in(&app).await, "past the remembered end");
}

#[tokio::test]
async fn the_sweeper_deletes_expired_sessions_with_their_rows() {
    let (app, clock) = app_on_manual_clock(|config| {
        config.session.idle_timeout = period(30 * MINUTE);
        config.session.sweep_interval = period(Duration::from_secs(1));
    })
    .await;
    register(&app, "swept").await;
    log_in(&app, "swept", false).await;
    assert_eq!(count(&app, "tower_sessions").await, 1);
    let devices: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tower_sessions WHERE user_id IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(devices, 1);
    assert!(count(&app, "flash").await >= 1, "the welcome flash waits");
    clock.advance(31 * MINUTE);
    // The sweeper runs every second of real time (that it keeps live records is tested in
    // `session::store`): its next run deletes the record.
    let mut left = 1;
    for _ in 0..60 {
        left = count(&app, "tower_sessions").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "expired record swept");
    assert_eq!(count(&app, "flash").await, 0);
}

#[tokio::test]
async fn a_preference_saved_while_slower_requests_are_in_flight_stays_saved() {
    use tower_sessions::Session;

    let loaded = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (on_loaded, on_release) = (loaded.clone(), release.clone());
    // A request of the same browser that loads the session, takes its time, and then changes
    // a key of its own (as a page view that writes `last_seen`, or an upload).
    let slow = axum::Router::new().route(
        "/slow",
        axum::routing::post(move |session: Session| {
            let (loaded, release) = (on_loaded.clone(), on_release.clone());
            async move {
                let count: u32 = session.get("slow.count").await.unwrap().unwrap_or(0);
                loaded.notify_one();
                release.notified().await;
                session.insert("slow.count", count + 1).await.unwrap();
                "done"
            }
        }),
    );
    let app = spawn_app_with_routes(|_| {}, slow).await;
    register(&app, "racer").await;
    log_in(&app, "racer", false).await;
    let stored_theme = || async {
        let html = app.html("/settings").await;
        let start = html.find("data-theme=\"").expect("a theme") + "data-theme=\"".len();
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    };

    for round in 0..100 {
        let theme = if round % 2 == 0 { "dark" } else { "light" };
        let slow_request = {
            let request = app.client.post(app.url("/slow"));
            tokio::spawn(async move { request.send().await.unwrap() })
        };
        loaded.notified().await;
        let res = app
            .post_form(
                "/api/save_preferences",
                &[("theme", theme), ("density", "compact")],
            )
            .await;
        assert_eq!(res.status(), 303);
        release.notify_one();
        assert_eq!(slow_request.await.unwrap().status(), 200);
        assert_eq!(
            stored_theme().await,
            theme,
            "round {round}: the saved theme was undone"
        );
    }
    // The slow requests' own changes were kept as well.
    let slow_count: i64 = {
        let id = app.session_id().unwrap();
        let record = flashboard::session::SessionStore::load_record(
            &app.state.db,
            &id.parse().unwrap(),
            app.state.lifetimes.now_unix(),
        )
        .await
        .unwrap()
        .unwrap();
        record.data["slow.count"].as_i64().unwrap()
    };
    assert_eq!(slow_count, 100);
}

#[tokio::test]
async fn a_slow_request_finishing_after_log_out_does_not_bring_the_session_back() {
    use tower_sessions::Session;

    let loaded = Arc::new(Notify::new());
    let logged_out = Arc::new(Notify::new());
    let (on_loaded, on_logged_out) = (loaded.clone(), logged_out.clone());
    // A request that reads the session, then takes its time, then changes it: say, an upload.
    let slow = axum::Router::new().route(
        "/slow",
        axum::routing::post(move |session: Session| {
            let (loaded, logged_out) = (on_loaded.clone(), on_logged_out.clone());
            async move {
                let login: Option<serde_json::Value> = session.get("auth.login").await.unwrap();
                assert!(login.is_some(), "the slow request starts logged in");
                loaded.notify_one();
                logged_out.notified().await;
                session.insert("upload.done", true).await.unwrap();
                "done"
            }
        }),
    );
    let app = spawn_app_with_routes(|_| {}, slow).await;
    register(&app, "racer").await;
    log_in(&app, "racer", false).await;
    let old_cookie = app.session_cookie().unwrap();
    let old_id = app.session_id().unwrap();

    let slow_request = {
        let request = app
            .new_client()
            .post(app.url("/slow"))
            .header("cookie", format!("flashboard_session={old_cookie}"));
        tokio::spawn(async move { request.send().await.unwrap() })
    };
    loaded.notified().await;
    let res = app.post_form("/api/logout", &[]).await;
    assert_eq!(res.headers()["location"], "/login");
    logged_out.notify_one();
    let slow_response = slow_request.await.unwrap();
    assert_eq!(slow_response.status(), 200);

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions WHERE id = $1")
        .bind(&old_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "the logged-out session was saved back");
    let replay = app.get_with_session("/dashboard", &old_cookie).await;
    assert_eq!(replay.status(), 303, "the old cookie still logs in");
}

/// The handles of the sign-out forms on the dashboard, in page order.
fn device_handles(html: &str) -> Vec<String> {
    html.split("name=\"device\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn signing_out_another_device_ends_its_session_at_once() {
    let app = spawn_app().await;
    register(&app, "multi").await;
    log_in(&app, "multi", false).await;
    // A second browser logs in as the same user.
    let phone = common::client();
    let res = phone
        .post(app.url("/api/login"))
        .header(
            "user-agent",
            "Mozilla/5.0 (Linux; Android 14) Firefox/128.0",
        )
        .form(&[("username", "multi"), ("password", "Password123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/dashboard");
    let phone_dashboard = |client: &reqwest::Client| {
        let request = client.get(app.url("/dashboard"));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(phone_dashboard(&phone).await, 200);

    let html = app.html("/dashboard").await;
    assert!(html.contains("Firefox on Android"), "the phone is listed");
    assert_eq!(html.matches("class=\"device\"").count(), 2, "{html}");
    let handles = device_handles(&html);
    assert_eq!(
        handles.len(),
        1,
        "a sign-out button for the other device only"
    );

    let res = app
        .post_form("/api/sign_out_device", &[("device", &handles[0])])
        .await;
    assert_eq!(res.headers()["location"], "/dashboard");
    assert_eq!(
        phone_dashboard(&phone).await,
        303,
        "the phone's cookie stopped working"
    );
    let phone_login = phone.get(app.url("/login")).send().await.unwrap();
    assert!(
        phone_login
            .text()
            .await
            .unwrap()
            .contains("Your session has ended."),
        "the phone is told why"
    );
    let html = app.html("/dashboard").await;
    assert!(
        html.contains("Hello, multi!"),
        "this browser stays logged in"
    );
    assert!(
        banner(&html)
            .iter()
            .any(|(c, m)| c == "success" && m.contains("signed out")),
        "{:?}",
        banner(&html)
    );
    assert_eq!(html.matches("class=\"device\"").count(), 1);
}

#[tokio::test]
async fn signing_out_all_other_devices_leaves_this_one_and_other_users_alone() {
    let app = spawn_app().await;
    register(&app, "owner").await;
    register(&app, "stranger").await;
    log_in(&app, "owner", false).await;
    let login = |username: &'static str| {
        let client = common::client();
        let request = client
            .post(app.url("/api/login"))
            .form(&[("username", username), ("password", "Password123")]);
        async move {
            request.send().await.unwrap();
            client
        }
    };
    let laptop = login("owner").await;
    let tablet = login("owner").await;
    let stranger = login("stranger").await;
    let status = |client: &reqwest::Client| {
        let request = client.get(app.url("/dashboard"));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for client in [&laptop, &tablet, &stranger] {
        assert_eq!(status(client).await, 200);
    }

    // A handle of another user's session does nothing.
    let stranger_html = app.html_with(&stranger, "/dashboard").await;
    assert!(
        device_handles(&stranger_html).is_empty(),
        "the stranger has one session"
    );
    let their_session: String = sqlx::query_scalar(
        "SELECT s.id FROM tower_sessions s JOIN users ON users.id = s.user_id \
         WHERE users.username = 'stranger'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let their_handle = flashboard::session::user_sessions::fingerprint(&their_session);
    app.post_form("/api/sign_out_device", &[("device", &their_handle)])
        .await;
    assert_eq!(
        status(&stranger).await,
        200,
        "another user's session was ended"
    );

    let res = app.post_form("/api/sign_out_other_devices", &[]).await;
    assert_eq!(res.headers()["location"], "/dashboard");
    assert_eq!(status(&laptop).await, 303);
    assert_eq!(status(&tablet).await, 303);
    assert_eq!(status(&stranger).await, 200);
    let html = app.html("/dashboard").await;
    assert!(
        html.contains("Hello, owner!"),
        "this browser stays logged in"
    );
    assert!(html.contains("Signed out 2 other devices."), "{html}");
}

#[tokio::test]
async fn anonymous_readers_write_nothing_to_the_store() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/login",
        "/register",
        "/settings",
        "/flash-demo",
        "/nope",
    ] {
        let res = app.get(path).await;
        assert!(
            set_cookie(&res, "flashboard_session").is_none(),
            "{path} set a cookie"
        );
    }
    assert_eq!(count(&app, "tower_sessions").await, 0);
}

/// The `data-theme` and `data-density` of the page's `<html>` element.
fn html_preferences(html: &str) -> (String, String) {
    let tag = &html[html.find("<html").unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    let value = |name: &str| {
        let at = tag
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("no {name} in {tag}"));
        let rest = &tag[at + name.len() + 2..];
        rest[..rest.find('"').unwrap()].to_owned()
    };
    (value("data-theme"), value("data-density"))
}

#[tokio::test]
async fn preferences_are_rendered_by_the_server_on_every_page_and_reset() {
    let app = spawn_app().await;
    assert_eq!(
        html_preferences(&app.html("/").await),
        ("system".to_owned(), "comfortable".to_owned())
    );
    let res = app
        .post_form(
            "/api/save_preferences",
            &[("theme", "dark"), ("density", "compact")],
        )
        .await;
    assert_eq!(res.headers()["location"], "/settings");
    let html = app.html("/settings").await;
    assert!(banner(&html).contains(&("success".to_owned(), "Preferences saved.".to_owned())));
    let dark = ("dark".to_owned(), "compact".to_owned());
    for path in ["/settings", "/", "/login", "/flash-demo"] {
        assert_eq!(html_preferences(&app.html(path).await), dark, "{path}");
    }
    assert!(
        app.html("/settings")
            .await
            .contains("value=\"dark\" checked"),
        "the form shows the saved choice"
    );

    // An unknown value changes nothing and says so.
    app.post_form(
        "/api/save_preferences",
        &[("theme", "neon"), ("density", "compact")],
    )
    .await;
    let html = app.html("/settings").await;
    assert_eq!(html_preferences(&html), dark);
    assert!(
        banner(&html).iter().any(|(c, _)| c == "error"),
        "{:?}",
        banner(&html)
    );

    app.post_form("/api/reset_preferences", &[]).await;
    assert_eq!(
        html_preferences(&app.html("/").await),
        ("system".to_owned(), "comfortable".to_owned())
    );
    // An anonymous visitor's choice lived in the visitor cookie: nothing on the server.
    assert_eq!(count(&app, "tower_sessions").await, 0);

    // Logged in, they are kept in the session (the visitor's choice still applies until then).
    app.post_form(
        "/api/save_preferences",
        &[("theme", "light"), ("density", "compact")],
    )
    .await;
    register(&app, "chooser").await;
    log_in(&app, "chooser", false).await;
    let light = ("light".to_owned(), "compact".to_owned());
    assert_eq!(html_preferences(&app.html("/").await), light);
    app.post_form(
        "/api/save_preferences",
        &[("theme", "dark"), ("density", "comfortable")],
    )
    .await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT data FROM tower_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let record: tower_sessions::session::Record = rmp_serde_decode(&stored);
    assert!(record.data.contains_key("preferences"), "in the session");
    app.post_form("/api/reset_preferences", &[]).await;
    assert_eq!(
        html_preferences(&app.html("/").await),
        ("system".to_owned(), "comfortable".to_owned()),
        "reset forgets both"
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT data FROM tower_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let record: tower_sessions::session::Record = rmp_serde_decode(&stored);
    assert!(
        !record.data.contains_key("preferences"),
        "reset removes the key"
    );
}

fn rmp_serde_decode(bytes: &[u8]) -> tower_sessions::session::Record {
    rmp_serde::from_slice(bytes).expect("a session record")
}

#[tokio::test]
async fn the_inspector_shows_the_session_but_never_its_id() {
    let app = spawn_app().await;
    let res = app.get("/session").await;
    assert_eq!(res.status(), 303, "logged-in users only");
    assert_eq!(res.headers()["location"], "/login?next=/session");

    register(&app, "curious").await;
    log_in(&app, "curious", false).await;
    app.post_form(
        "/api/save_preferences",
        &[("theme", "light"), ("density", "compact")],
    )
    .await;
    let html = app.html("/session").await;
    let id = app.session_id().unwrap();
    assert!(!html.contains(&id), "the session id is on the page");
    assert!(!html.contains(&app.session_cookie().unwrap()));
    for key in ["auth.login", "session.meta", "preferences"] {
        assert!(
            html.contains(&format!("data-key=\"{key}\"")),
            "{key} missing"
        );
    }
    assert!(
        html.contains("&quot;theme&quot;:&quot;light&quot;") || html.contains(r#""theme":"light""#)
    );
    assert!(html.contains("data-ending=\"idle\""));
    assert!(html.contains("until the browser closes"));
    let fingerprint = |html: &str| {
        let at = html.find("data-testid=\"fingerprint\">").unwrap() + 26;
        html[at..at + 16].to_owned()
    };
    let first = fingerprint(&html);
    assert!(first.chars().all(|c| c.is_ascii_hexdigit()), "{first}");

    // Another log-in is another session with another fingerprint.
    app.post_form("/api/logout", &[]).await;
    log_in(&app, "curious", true).await;
    let html = app.html("/session").await;
    assert_ne!(fingerprint(&html), first);
    assert!(html.contains("data-ending=\"remembered\""));
    assert!(html.contains("persistent until"));
}

/// `duration` as a settings period (at least a second).
fn period(duration: Duration) -> flashboard::clock::Period {
    duration.try_into().unwrap()
}
