//! A forgotten password over real HTTP: the request answered alike for every name, the mail in
//! the outbox, the link that works once for 30 minutes, and the new password that ends every
//! session; and the dev mode's `/dev/mailbox`.
#![cfg(feature = "ssr")]

mod common;

use std::time::Duration;

use common::{TestApp, banner, client, field_flashes, spawn_app, spawn_app_with};
use flashboard::{mail::Stored, server::config::Mode};

const SENT: &str = "If that is the name or address of an account, we have sent it a link to set \
                    a new password. The link works once, for 30 minutes.";
const INVALID: &str = "This link is not valid: it was already used, has expired, or was \
                       replaced by a newer one. Ask for a new link.";

fn flash(category: &str, message: &str) -> (String, String) {
    (category.to_owned(), message.to_owned())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// Asks for a link for `login` from a browser of its own; returns the answer's status,
/// location and banner on the next page.
async fn ask(app: &TestApp, login: &str) -> (u16, String, Vec<(String, String)>) {
    let browser = client();
    let res = browser
        .post(app.url("/api/forgot_password"))
        .header("accept", "text/html")
        .form(&[("login", login)])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let html = browser
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (res.status().as_u16(), location, banner(&html))
}

/// The outbox once every mail job has finished, newest first.
async fn outbox(app: &TestApp) -> Vec<Stored> {
    app.state.mailer.settled().await;
    app.state.mailer.outbox().unwrap().list().await.unwrap()
}

/// The token of the reset link in `mail`.
fn token_in(mail: &Stored) -> String {
    let start = mail
        .mail
        .text
        .find("/password/reset?token=")
        .expect("a reset link")
        + "/password/reset?token=".len();
    mail.mail.text[start..start + 64].to_owned()
}

async fn reset(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    password: &str,
) -> reqwest::Response {
    browser
        .post(app.url("/api/reset_password"))
        .header("accept", "text/html")
        .form(&[("token", token), ("new_password", password)])
        .send()
        .await
        .unwrap()
}

async fn logs_in(app: &TestApp, password: &str) -> bool {
    let res = client()
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .form(&[("username", "ana"), ("password", password)])
        .send()
        .await
        .unwrap();
    res.headers()["location"] == "/dashboard"
}

#[tokio::test]
async fn a_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let phone = client();
    let res = phone
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .form(&[("username", "ana"), ("password", "Password123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/dashboard");

    let (status, location, shown) = ask(&app, "ana").await;
    assert_eq!((status, location.as_str()), (303, "/login"));
    assert_eq!(shown, [flash("info", SENT)]);
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.mail.to, "ana@example.com");
    assert_eq!(mail.mail.subject, "Reset your Flashboard password");
    assert!(
        mail.mail.text.starts_with("Hello ana,"),
        "{}",
        mail.mail.text
    );
    assert!(
        mail.raw.contains("Subject: Reset your Flashboard password"),
        "{}",
        mail.raw
    );
    assert!(
        mail.raw.contains("From: Flashboard <no-reply@localhost>"),
        "{}",
        mail.raw
    );
    let token = token_in(mail);
    // Each mail file is the server user's alone: the link in it opens the account.
    for entry in std::fs::read_dir(app.state.mailer.outbox().unwrap().dir()).unwrap() {
        use std::os::unix::fs::PermissionsExt;
        let mode = entry.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        mail.mail.text.contains(&format!(
            "http://127.0.0.1:3000/password/reset?token={token}"
        )),
        "the link points to mail.base_url"
    );
    // Only the token's hash is stored.
    assert_eq!(count(&app, "SELECT count(*) FROM password_resets").await, 1);
    let stored = count(
        &app,
        &format!("SELECT count(*) FROM password_resets WHERE token_hash = '{token}'"),
    )
    .await;
    assert_eq!(stored, 0);

    // The link's page carries the token to its form.
    let browser = client();
    let page = browser
        .get(app.url(&format!("/password/reset?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(r#"name="token" value="{token}""#)),
        "{page}"
    );

    // A new password against the rules: told beside the field, the link still works.
    let res = reset(&app, &browser, &token, "short").await;
    assert_eq!(
        res.headers()["location"],
        format!("/password/reset?token={token}").as_str()
    );
    let page = app
        .html_with(&browser, &format!("/password/reset?token={token}"))
        .await;
    assert_eq!(
        field_flashes(&page, "error_new_password"),
        ["A password has 8 to 128 characters."]
    );
    assert!(page.contains(r#"aria-invalid="true""#), "{page}");

    let res = reset(&app, &browser, &token, "New password 456").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(
        banner(&app.html_with(&browser, "/login").await),
        [flash(
            "success",
            "Your password has been reset, and every session of yours has ended. Please log in \
             with the new password."
        )]
    );
    // Nobody was logged in: not this browser, and every session of ana's has ended.
    assert_eq!(
        browser
            .get(app.url("/dashboard"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    app.html_with(&browser, "/login").await; // the guard's "please log in first"
    assert_eq!(app.get("/dashboard").await.status(), 303);
    assert_eq!(
        phone
            .get(app.url("/dashboard"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert!(logs_in(&app, "New password 456").await);
    assert!(!logs_in(&app, "Password123").await);

    // Used: it works no more.
    let res = reset(&app, &browser, &token, "Another password 789").await;
    assert_eq!(res.headers()["location"], "/password/forgot");
    assert_eq!(
        banner(&app.html_with(&browser, "/password/forgot").await),
        [flash("error", INVALID)]
    );
    assert!(logs_in(&app, "New password 456").await);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'password_reset'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn forged_expired_and_replaced_links_do_not_work_and_cost_no_hash() {
    let clock = flashboard::clock::Clock::manual();
    let app_clock = clock.clone();
    let app = spawn_app_with(move |config| config.clock = app_clock).await;
    app.register("ana", "ana@example.com", "Password123").await;
    ask(&app, "ana").await;
    let first = token_in(&outbox(&app).await[0]);
    ask(&app, "ana").await;
    let second = token_in(&outbox(&app).await[0]);
    assert_ne!(first, second);

    let browser = client();
    let hashes = app.state.passwords.hashes_done();
    for token in [
        first.as_str(),         // replaced by the newer link
        &"0".repeat(64),        // forged
        "not a token",          // not even the shape
        &second.to_uppercase(), // a changed token
        &format!("{second}0"),  // a longer one
    ] {
        let res = reset(&app, &browser, token, "New password 456").await;
        assert_eq!(res.headers()["location"], "/password/forgot", "{token}");
    }
    assert_eq!(
        app.state.passwords.hashes_done(),
        hashes,
        "no hash for a link that does not work"
    );

    // Thirty minutes on, the newest link has expired too.
    clock.advance(Duration::from_secs(30 * 60));
    let res = reset(&app, &browser, &second, "New password 456").await;
    assert_eq!(res.headers()["location"], "/password/forgot");
    assert!(logs_in(&app, "Password123").await);
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_an_account_matches() {
    let app = spawn_app().await;
    app.register("ana", "Ana@Example.com", "Password123").await;
    let mut answers = Vec::new();
    for login in ["ana", "nobody", "ana@example.com", "nobody@example.com"] {
        answers.push(ask(&app, login).await);
    }
    assert!(
        answers.iter().all(|answer| *answer == answers[0]),
        "{answers:?}"
    );
    assert_eq!(answers[0].2, [flash("info", SENT)]);
    // Two links went (by name, and by address without regard to case); the newer replaced
    // the older.
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().all(|mail| mail.mail.to == "Ana@Example.com"));
    assert_eq!(count(&app, "SELECT count(*) FROM password_resets").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE kind = 'reset_requested'"
        )
        .await,
        4
    );
    // An empty field is the only other answer.
    let res = app
        .post_form("/api/forgot_password", &[("login", "  ")])
        .await;
    assert_eq!(res.headers()["location"], "/password/forgot");
    assert_eq!(
        field_flashes(&app.html("/password/forgot").await, "error_login"),
        ["Enter your username or e-mail address."]
    );
}

#[tokio::test]
async fn asking_is_throttled_per_name_alike_for_every_name() {
    let app = spawn_app().await;
    app.register("ana", "ana@example.com", "Password123").await;
    for login in ["ana", "nobody"] {
        for _ in 0..3 {
            assert_eq!(ask(&app, login).await.2, [flash("info", SENT)]);
        }
        let (_, location, shown) = ask(&app, login).await;
        assert_eq!(location, "/password/forgot");
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].0, "warning");
        assert!(shown[0].1.starts_with("Too many attempts."), "{shown:?}");
    }
    assert_eq!(outbox(&app).await.len(), 3);
}

#[tokio::test]
async fn a_password_changed_another_way_voids_the_link() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    ask(&app, "ana").await;
    let token = token_in(&outbox(&app).await[0]);
    let res = app
        .post_form(
            "/api/change_password",
            &[
                ("current_password", "Password123"),
                ("new_password", "New password 456"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/account");
    let res = reset(&app, &client(), &token, "Stolen password 1").await;
    assert_eq!(res.headers()["location"], "/password/forgot");
    assert!(logs_in(&app, "New password 456").await);
}

#[tokio::test]
async fn a_server_function_call_resets_and_gets_the_redirect_header() {
    let app = spawn_app().await;
    app.register("ana", "ana@example.com", "Password123").await;
    ask(&app, "ana").await;
    let token = token_in(&outbox(&app).await[0]);
    let res = app
        .call(
            "/api/reset_password",
            &[
                ("token", token.as_str()),
                ("new_password", "New password 456"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("serverfnredirect"));
    assert_eq!(res.headers()["location"], "/login");
    assert!(logs_in(&app, "New password 456").await);
}

#[tokio::test]
async fn a_mail_that_cannot_be_sent_is_logged_and_the_answer_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    // The outbox cannot be made: a file stands where its folder would be.
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, "").unwrap();
    let outbox_dir = blocked.join("outbox");
    let app = spawn_app_with(move |config| config.mail.outbox_dir = outbox_dir).await;
    app.register("ana", "ana@example.com", "Password123").await;
    assert_eq!(ask(&app, "ana").await.2, [flash("info", SENT)]);
    app.state.mailer.settled().await;
    assert_eq!(app.state.mailer.failed(), 1);
    assert_eq!(app.state.mailer.sent(), 0);
}

#[tokio::test]
async fn the_dev_mailbox_lists_the_outbox_and_production_has_none() {
    let app = spawn_app().await;
    app.register("ana", "ana@example.com", "Password123").await;
    ask(&app, "ana").await;
    let token = token_in(&outbox(&app).await[0]);
    let res = app.get("/dev/mailbox").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("Reset your Flashboard password"), "{html}");
    assert!(html.contains("ana@example.com"));
    let link = format!("http://127.0.0.1:3000/password/reset?token={token}");
    assert!(
        html.contains(&format!(r#"<a href="{link}">{link}</a>"#)),
        "{html}"
    );

    let production = common::spawn_app_with_secrets(
        flashboard::server::secret::Secrets::new(flashboard::server::secret::SecretKey::new(
            "3c9f1b7e52d80a46f1e9c3b75d2a084e6f1c9b3d7a5e2f80c4b6d19e73a5f02c",
        )),
        |config| config.mode = Mode::Production,
    )
    .await;
    assert_eq!(production.get("/dev/mailbox").await.status(), 404);
}

#[tokio::test]
async fn the_pages_and_the_mail_speak_chinese() {
    let app = spawn_app().await;
    app.register("ana", "ana@example.com", "Password123").await;
    let browser = client();
    let res = browser
        .get(app.url("/password/forgot"))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let html = common::page(res).await;
    assert!(html.contains("<h1>忘记密码？</h1>"), "{html}");
    browser
        .post(app.url("/api/forgot_password"))
        .header("accept", "text/html")
        .header("accept-language", "zh-CN")
        .form(&[("login", "ana")])
        .send()
        .await
        .unwrap();
    let mail = &outbox(&app).await[0];
    assert_eq!(mail.mail.subject, "重置你的 Flashboard 密码");
    assert!(
        mail.mail.text.starts_with("ana，你好："),
        "{}",
        mail.mail.text
    );
}

#[tokio::test]
async fn of_two_uses_of_one_link_at_once_exactly_one_works() {
    let app = spawn_app().await;
    app.register("ana", "ana@example.com", "Password123").await;
    ask(&app, "ana").await;
    let token = token_in(&outbox(&app).await[0]);
    let (a, b) = (client(), client());
    let (first, second) = tokio::join!(
        reset(&app, &a, &token, "First password 1"),
        reset(&app, &b, &token, "Second password 2"),
    );
    let mut locations = [
        first.headers()["location"].to_str().unwrap().to_owned(),
        second.headers()["location"].to_str().unwrap().to_owned(),
    ];
    locations.sort();
    assert_eq!(locations, ["/login", "/password/forgot"]);
    let worked = [
        logs_in(&app, "First password 1").await,
        logs_in(&app, "Second password 2").await,
    ];
    assert_eq!(worked.iter().filter(|w| **w).count(), 1, "{worked:?}");
}

#[tokio::test]
async fn control_characters_are_no_name_and_no_error() {
    let app = spawn_app().await;
    app.register("ana", "ana@example.com", "Password123").await;
    // A NUL (which PostgreSQL refuses in text) in a name asked for, or logged in with: no
    // name has one, so a log-in with one is refused before any look-up.
    assert_eq!(ask(&app, "nob\0ody").await.2, [flash("info", SENT)]);
    for name in ["ana\0", "x\0y"] {
        let res = app.login(name, "Password123").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/login", "{name:?}");
    }
    // Nor in a flash message: the control characters are dropped (line breaks stay).
    app.signed_in("bob").await;
    let res = app
        .post_form(
            "/api/flash_custom",
            &[("category", "info"), ("message", "a\0b\u{7}c")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(banner(&app.html("/flash-demo").await).contains(&flash("info", "abc")));
}

#[tokio::test]
async fn one_address_gets_at_most_three_reset_mails_an_hour() {
    let app = spawn_app().await;
    // Accounts may share an address: asking by each name must not flood it.
    for name in ["ana", "bob", "cyd", "dee"] {
        app.register(name, "shared@example.com", "Password123")
            .await;
        assert_eq!(ask(&app, name).await.2, [flash("info", SENT)]);
    }
    assert_eq!(outbox(&app).await.len(), 3);
}

#[tokio::test]
async fn a_reset_from_the_users_own_browser_logs_it_out_and_keeps_its_language() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    app.post_form("/api/set_language", &[("lang", "zh-CN"), ("back", "/")])
        .await;
    app.html("/dashboard").await;
    app.post_form("/api/forgot_password", &[("login", "ana")])
        .await;
    let token = token_in(&outbox(&app).await[0]);
    let res = reset(&app, &app.client, &token, "New password 456").await;
    assert_eq!(res.headers()["location"], "/login");
    let html = app.html("/login").await;
    assert_eq!(
        banner(&html),
        [flash(
            "success",
            "密码已重置，你的所有会话均已结束。请使用新密码登录。"
        )],
        "in the language the session had chosen"
    );
    assert!(html.contains(r#"lang="zh-CN""#), "{html}");
    assert_eq!(app.get("/dashboard").await.status(), 303);
}

#[tokio::test]
async fn the_reset_page_sends_no_referrer() {
    let app = spawn_app().await;
    let res = app
        .get(&format!("/password/reset?token={}", "0".repeat(64)))
        .await;
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let res = app.get("/login").await;
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
}

#[tokio::test]
async fn asking_and_resetting_are_throttled_per_address() {
    let app = spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(2).unwrap();
    })
    .await;
    ask(&app, "ana").await;
    ask(&app, "bob").await;
    let res = app
        .post_form("/api/forgot_password", &[("login", "cy")])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let res = reset(&app, &client(), &"0".repeat(64), "New password 456").await;
    assert_eq!(res.status(), 429);
}
