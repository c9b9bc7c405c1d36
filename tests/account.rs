//! The account page's changes over real HTTP: changing the password (other sessions end, this
//! one gets a new id) and deleting the account (everything of the user goes, their events stay
//! without a name), by plain form posts and by server-function calls (a script's).
#![cfg(feature = "ssr")]

mod common;

use common::{TestApp, banner, client, field_flashes, spawn_app};

fn flash(category: &str, message: &str) -> (String, String) {
    (category.to_owned(), message.to_owned())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// Logs `username` (password `Password123`) in from a new browser; returns that browser.
async fn another_browser(app: &TestApp, username: &str) -> reqwest::Client {
    let browser = client();
    let res = browser
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .form(&[("username", username), ("password", "Password123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/dashboard");
    browser
}

async fn dashboard_status(app: &TestApp, browser: &reqwest::Client) -> u16 {
    let res = browser.get(app.url("/dashboard")).send().await.unwrap();
    res.status().as_u16()
}

async fn change_password(app: &TestApp, current: &str, new: &str) -> reqwest::Response {
    app.post_form(
        "/api/change_password",
        &[("current_password", current), ("new_password", new)],
    )
    .await
}

// --- Changing the password ----------------------------------------------------------------

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_renews_this_one() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let phone = another_browser(&app, "ana").await;
    let laptop = another_browser(&app, "ana").await;
    let bob = client();
    bob.post(app.url("/api/register"))
        .header("accept", "text/html")
        .form(&[
            ("username", "bob"),
            ("email", "bob@example.com"),
            ("password", "Password123"),
        ])
        .send()
        .await
        .unwrap();
    let bob = another_browser(&app, "bob").await;
    app.html("/dashboard").await; // the flashes of the log-in
    let old_cookie = app.session_cookie().unwrap();

    let res = change_password(&app, "Password123", "New password 456").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    let new_cookie = app.session_cookie().unwrap();
    assert_ne!(new_cookie, old_cookie, "the session id is cycled");

    assert_eq!(
        banner(&app.html("/account").await),
        [flash(
            "success",
            "Password changed. 2 other devices were signed out."
        )]
    );
    // This browser stays logged in; the other two of ana's are out; bob is untouched.
    assert_eq!(app.get("/dashboard").await.status(), 200);
    assert_eq!(dashboard_status(&app, &phone).await, 303);
    assert_eq!(dashboard_status(&app, &laptop).await, 303);
    assert_eq!(dashboard_status(&app, &bob).await, 200);
    // The id seen before the change is worth nothing now.
    let replay = app.get_with_session("/dashboard", &old_cookie).await;
    assert_eq!(replay.status(), 303);

    // The new password logs in, the old one no longer does.
    let other = client();
    let login = |password: &'static str| {
        other
            .post(app.url("/api/login"))
            .header("accept", "text/html")
            .form(&[("username", "ana"), ("password", password)])
            .send()
    };
    assert_eq!(
        login("Password123").await.unwrap().headers()["location"],
        "/login"
    );
    assert_eq!(
        login("New password 456").await.unwrap().headers()["location"],
        "/dashboard"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'password_changed'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_only_session_says_no_other_device_and_keeps_its_flashes() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    // The flashes of registering and logging in still wait (no page was loaded since): they
    // move with the session to its new id.
    let res = change_password(&app, "Password123", "New password 456").await;
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(
        banner(&app.html("/account").await),
        [
            flash("success", "Registered! Please log in."),
            flash("success", "Welcome back, ana!"),
            flash(
                "success",
                "Password changed. 0 other devices were signed out."
            ),
        ]
    );
}

#[tokio::test]
async fn each_mistake_is_told_beside_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    app.html("/dashboard").await; // the welcome
    let hashes = app.state.passwords.hashes_done();

    let res = change_password(&app, "", "short").await;
    assert_eq!(res.headers()["location"], "/account");
    let html = app.html("/account").await;
    assert_eq!(
        field_flashes(&html, "error_current_password"),
        ["Enter your current password."]
    );
    assert_eq!(
        field_flashes(&html, "error_new_password"),
        ["A password has 8 to 128 characters."]
    );
    assert!(html.contains(r#"aria-invalid="true""#));
    assert_eq!(
        app.state.passwords.hashes_done(),
        hashes,
        "no hash for a form that cannot succeed"
    );

    let res = change_password(&app, "Wrong password 1", "New password 456").await;
    assert_eq!(res.headers()["location"], "/account");
    let html = app.html("/account").await;
    assert_eq!(
        field_flashes(&html, "error_current_password"),
        ["That is not your current password; it was not changed."]
    );
    assert_eq!(
        field_flashes(&html, "error_new_password"),
        Vec::<String>::new()
    );
    // Counted as a failed log-in of the account (the throttle reads these).
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'login_failed' AND username = 'ana'"
        )
        .await,
        1
    );
    // Still the old password, still logged in.
    assert_eq!(app.get("/dashboard").await.status(), 200);
    another_browser(&app, "ana").await;
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_logging_in() {
    // A clock that stands still: the wait after the free failures cannot run out mid-test.
    let clock = flashboard::clock::Clock::manual();
    let app = common::spawn_app_with(move |config| config.clock = clock).await;
    app.signed_in("ana").await;
    app.html("/dashboard").await;
    // The free failures, then a wait: the next guess is refused without a hash.
    for _ in 0..5 {
        change_password(&app, "Wrong password 1", "New password 456").await;
    }
    app.html("/account").await;
    let hashes = app.state.passwords.hashes_done();
    let res = change_password(&app, "Password123", "New password 456").await;
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(app.state.passwords.hashes_done(), hashes);
    let shown = banner(&app.html("/account").await);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].0, "warning");
    assert!(shown[0].1.starts_with("Too many"), "{shown:?}");
    // The failures are the account's: a log-in from another browser waits as well.
    let res = client()
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .form(&[("username", "ana"), ("password", "Password123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    // The right password was not even checked: the password is still the old one.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'password_changed'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_server_function_call_changes_the_password_and_gets_the_redirect_header() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let res = app
        .call(
            "/api/change_password",
            &[
                ("current_password", "Password123"),
                ("new_password", "New password 456"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("serverfnredirect"));
    assert_eq!(res.headers()["location"], "/account");
    assert!(
        banner(&app.html("/account").await)
            .iter()
            .any(|(category, message)| category == "success"
                && message.starts_with("Password changed."))
    );
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in() {
    let app = spawn_app().await;
    let res = app.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=/account");
    let res = change_password(&app, "Password123", "New password 456").await;
    assert_eq!(res.headers()["location"], "/login?next=/account");
    let res = app
        .post_form("/api/delete_account", &[("password", "Password123")])
        .await;
    assert_eq!(res.headers()["location"], "/login?next=/account");
    assert_eq!(
        banner(&app.html("/login").await),
        [
            flash("warning", "Please log in first."),
            flash("warning", "Please log in first."),
            flash("warning", "Please log in first."),
        ]
    );
}

// --- Deleting the account -----------------------------------------------------------------

#[tokio::test]
async fn deleting_the_account_removes_everything_of_the_user_but_anonymous_events() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let phone = another_browser(&app, "ana").await;
    app.register("bob", "bob@example.com", "Password123").await;
    let bob = another_browser(&app, "bob").await;
    // Welcomes wait in every session (no page was loaded since the log-ins).
    let of_user = |id: i64| {
        format!(
            "SELECT count(*) FROM flash f JOIN tower_sessions s ON s.id = f.session_id \
             WHERE s.user_id = {id}"
        )
    };
    assert!(count(&app, &of_user(1)).await >= 2, "ana's welcomes wait");
    let bobs = count(&app, &of_user(2)).await;
    assert!(bobs > 0);

    // A reset link asked for by address, still waiting.
    client()
        .post(app.url("/api/forgot_password"))
        .header("accept", "text/html")
        .form(&[("login", "ana@example.com")])
        .send()
        .await
        .unwrap();
    app.state.mailer.settled().await;
    assert_eq!(count(&app, "SELECT count(*) FROM password_resets").await, 1);

    let res = app
        .post_form("/api/delete_account", &[("password", "Wrong password 1")])
        .await;
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(
        field_flashes(&app.html("/account").await, "error_password"),
        ["That password is not right; your account was not deleted."]
    );
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 2);

    let res = app
        .post_form("/api/delete_account", &[("password", "Password123")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(
        banner(&app.html("/login").await),
        [flash("info", "Your account has been deleted.")]
    );
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM tower_sessions WHERE user_id = 1"
        )
        .await,
        0
    );
    // Nothing else of ana's either: no reset link, no throttle place, no event under her
    // name or her address.
    assert_eq!(count(&app, "SELECT count(*) FROM password_resets").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM login_attempts WHERE slot = 'ana'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE username_key IN ('ana', 'ana@example.com')"
        )
        .await,
        0
    );
    // Only bob's flashes are left.
    assert_eq!(count(&app, "SELECT count(*) FROM flash").await, bobs);
    assert_eq!(dashboard_status(&app, &phone).await, 303);
    assert_eq!(dashboard_status(&app, &bob).await, 200);
    // The events stay, without ana's name or id.
    assert_eq!(
        count(&app, "SELECT count(*) FROM auth_events WHERE username = 'ana' OR username_key = 'ana' OR user_id = 1").await,
        0
    );
    assert!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'login'"
        )
        .await
            >= 3
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'account_deleted'"
        )
        .await,
        1
    );
    // The name is free again, and the old password opens nothing.
    let res = another_login(&app, "ana", "Password123").await;
    assert_eq!(res, "/login");
    let res = app.register("ana", "ana@example.com", "Password123").await;
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test]
async fn deleting_needs_the_password() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    app.html("/dashboard").await;
    let res = app
        .post_form("/api/delete_account", &[("password", "")])
        .await;
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(
        field_flashes(&app.html("/account").await, "error_password"),
        ["Enter your password to delete your account."]
    );
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 1);
}

#[tokio::test]
async fn the_account_page_speaks_chinese() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let res = app
        .client
        .post(app.url("/api/change_password"))
        .header("accept", "text/html")
        .header("accept-language", "zh-CN")
        .form(&[
            ("current_password", "x"),
            ("new_password", "New password 456"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account");
    let html = common::page(
        app.get_with_header("/account", "accept-language", "zh-CN")
            .await,
    )
    .await;
    assert!(html.contains("<h1>我的账户</h1>"), "{html}");
    assert_eq!(
        field_flashes(&html, "error_current_password"),
        ["当前密码不正确，密码未修改。"]
    );
}

/// The `location` a log-in from a new browser is answered with.
async fn another_login(app: &TestApp, username: &str, password: &str) -> String {
    let res = client()
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    res.headers()["location"].to_str().unwrap().to_owned()
}
