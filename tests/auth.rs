//! Registration, log-in, log-out and the dashboard over real HTTP (the no-JS form path and the
//! server-function client's path, as a script calls them).
#![cfg(feature = "ssr")]

mod common;

use common::{TestApp, banner, field_flashes, spawn_app};

fn flash(category: &str, message: &str) -> (String, String) {
    (category.to_owned(), message.to_owned())
}

async fn user_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

// --- Registration -------------------------------------------------------------------------

#[tokio::test]
async fn registering_flashes_success_and_sends_to_login() {
    let app = spawn_app().await;
    let res = app
        .register("alice", "alice@example.com", "Password123")
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let html = app.html("/login").await;
    assert_eq!(
        banner(&html),
        [flash("success", "Registered! Please log in.")]
    );
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn each_validation_rule_flashes_beside_its_field_and_keeps_the_input() {
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "",
            "a@example.com",
            "Password123",
            "error_username",
            "Choose a username.",
        ),
        (
            "ab",
            "a@example.com",
            "Password123",
            "error_username",
            "A username has 3 to 32 characters.",
        ),
        (
            &"x".repeat(33),
            "a@example.com",
            "Password123",
            "error_username",
            "A username has 3 to 32 characters.",
        ),
        (
            "bad name!",
            "a@example.com",
            "Password123",
            "error_username",
            "A username may only hold letters, digits, _ . and -.",
        ),
        (
            "alice",
            "",
            "Password123",
            "error_email",
            "Enter your e-mail address.",
        ),
        (
            "alice",
            "not-an-email",
            "Password123",
            "error_email",
            "That does not look like an e-mail address.",
        ),
        (
            "alice",
            "a@example.com",
            "",
            "error_password",
            "Choose a password.",
        ),
        (
            "alice",
            "a@example.com",
            "Short1",
            "error_password",
            "A password has 8 to 128 characters.",
        ),
        (
            "alice",
            "a@example.com",
            &"P".repeat(129),
            "error_password",
            "A password has 8 to 128 characters.",
        ),
    ];
    for (username, email, password, category, message) in cases {
        let app = spawn_app().await;
        let res = app.register(username, email, password).await;
        assert_eq!(res.status(), 303, "{category}: {username:?}");
        assert_eq!(res.headers()["location"], "/register");
        let html = app.html("/register").await;
        assert_eq!(field_flashes(&html, category), [*message], "{category}");
        assert_eq!(banner(&html), [], "field flashes stay out of the banner");
        // What was typed comes back, except the password.
        if !username.is_empty() && username.len() < 40 {
            assert!(html.contains(&format!(r#"value="{}""#, username)), "{html}");
        }
        if !email.is_empty() {
            assert!(html.contains(&format!(r#"value="{email}""#)), "{html}");
        }
        if !password.is_empty() {
            assert!(!html.contains(password), "password echoed back");
        }
        assert_eq!(user_count(&app).await, 0);
        // Shown once: the kept input and the flashes are gone on reload.
        let again = app.html("/register").await;
        assert!(field_flashes(&again, category).is_empty());
    }
}

#[tokio::test]
async fn a_password_without_upper_case_gets_an_info_hint() {
    let app = spawn_app().await;
    let res = app
        .register("alice", "alice@example.com", "lowercase123")
        .await;
    assert_eq!(res.headers()["location"], "/login");
    let html = app.html("/login").await;
    assert_eq!(
        field_flashes(&html, "info_password"),
        ["Tip: an upper-case letter makes your password stronger."]
    );
}

#[tokio::test]
async fn names_are_unique_regardless_of_case_and_normalization() {
    let app = spawn_app().await;
    app.register("Zoë", "zoe@example.com", "Password123").await;
    for other in ["zoë", "ZOË", "Zoe\u{308}"] {
        let res = app
            .register(other, "other@example.com", "Password123")
            .await;
        assert_eq!(res.headers()["location"], "/register", "{other:?}");
        let html = app.html("/register").await;
        assert_eq!(
            field_flashes(&html, "error_username"),
            ["That username is taken. Please choose another."]
        );
    }
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn concurrent_registrations_of_one_name_create_exactly_one_user() {
    let app = spawn_app().await;
    // Eight browsers submit the same name at once.
    let mut set = tokio::task::JoinSet::new();
    for n in 0..8 {
        let client = app.new_client();
        let url = app.url("/api/register");
        set.spawn(async move {
            let email = format!("r{n}@example.com");
            let form = [
                ("username", "racer"),
                ("email", email.as_str()),
                ("password", "Password123"),
            ];
            client
                .post(url)
                .header("accept", "text/html")
                .form(&form)
                .send()
                .await
                .unwrap()
        });
    }
    let responses = set.join_all().await;
    assert!(responses.iter().all(|r| r.status() == 303));
    let to_login = responses
        .iter()
        .filter(|r| r.headers()["location"] == "/login")
        .count();
    assert_eq!(to_login, 1);
    assert_eq!(user_count(&app).await, 1);
}

#[tokio::test]
async fn the_stored_hash_is_argon2id_with_owasp_parameters() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("Password123"));
}

// --- Log-in ---------------------------------------------------------------------------------

#[tokio::test]
async fn logging_in_cycles_the_session_id_and_welcomes_the_user() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    app.html("/login").await; // shows the registration flash
    assert_eq!(app.session_cookie(), None, "no session before the log-in");
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");
    let html = app.html("/dashboard").await;
    assert_eq!(banner(&html), [flash("success", "Welcome back, alice!")]);
    assert!(html.contains("Hello, alice!"), "{html}");

    // A browser that already holds a session (say, one an attacker planted by logging it in to
    // their own account) gets a new id at the next log-in, and the old id is dead.
    let before = app.session_cookie().unwrap();
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let after = app.session_cookie().unwrap();
    assert_ne!(
        before, after,
        "session fixation: the id must change at log-in"
    );
    let res = app.get_with_session("/dashboard", &before).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn flashes_waiting_at_log_in_are_carried_to_the_new_session() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    app.html("/login").await; // shows the registration flash
    app.get("/dashboard").await; // "Please log in first.", waiting in the visitor cookie
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let html = app.html("/dashboard").await;
    assert_eq!(
        banner(&html),
        [
            flash("warning", "Please log in first."),
            flash("success", "Welcome back, alice!")
        ]
    );

    // Logged in, with a flash waiting in the session's rows, the browser logs in again.
    app.flasher().await.info("Still here.").await.unwrap();
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let html = app.html("/dashboard").await;
    assert_eq!(
        banner(&html),
        [
            flash("info", "Still here."),
            flash("success", "Welcome back, alice!")
        ]
    );
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1, "the previous record is deleted");
}

#[tokio::test]
async fn a_log_in_is_whole_once_its_record_is_stored() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    // Any later change to alice's record fails: the log-in must not need one (the welcome
    // flash is pushed after the record is stored).
    app.fault_for_user(
        "no_later_save",
        "BEFORE UPDATE OF data ON tower_sessions",
        "alice",
    )
    .await;
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");
    let html = app.html("/dashboard").await;
    assert!(html.contains("Hello, alice!"), "{html}");
    assert_eq!(
        banner(&html),
        [
            flash("success", "Registered! Please log in."),
            flash("success", "Welcome back, alice!")
        ]
    );
}

#[tokio::test]
async fn a_log_in_that_fails_half_way_leaves_the_waiting_flashes() {
    let clock = flashboard::clock::Clock::manual();
    let app_clock = clock.clone();
    let app = common::spawn_app_with(move |config| config.clock = app_clock).await;
    for name in ["alice", "bob"] {
        app.register(name, &format!("{name}@example.com"), "Password123")
            .await;
    }
    app.html("/login").await;
    app.get("/dashboard").await; // a flash waits in the visitor cookie
    // The database refuses the logged-in session's record: the log-in fails after the new id
    // was drawn and the log-in written into the session.
    let insert = "BEFORE INSERT ON tower_sessions";
    app.fault("refuse_log_in", insert, "NEW.user_id IS NOT NULL")
        .await;
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.status(), 500);
    app.clear_fault("refuse_log_in", insert).await;
    let html = app.html("/login").await;
    assert_eq!(banner(&html), [flash("warning", "Please log in first.")]);
    assert!(!html.contains("Hello, alice"), "not logged in: {html}");

    // Logged in as bob with a flash waiting in the session's rows; a log-in as alice fails
    // after the new record is written, when the flashes move and bob's record is deleted, and
    // so does the clean-up of the new record. That record, never sent to the browser, was
    // never alive either (and the sweeper takes it); bob's session is as it was.
    app.login("bob", "Password123").await;
    app.html("/dashboard").await; // shows the welcome
    app.flasher().await.info("For bob.").await.unwrap();
    for (trigger, user) in [("keep_bob", "bob"), ("keep_alice", "alice")] {
        app.fault_for_user(trigger, "BEFORE DELETE ON tower_sessions", user)
            .await;
    }
    let res = app.login("alice", "Password123").await;
    assert_eq!(res.status(), 500);
    for trigger in ["keep_bob", "keep_alice"] {
        app.clear_fault(trigger, "BEFORE DELETE ON tower_sessions")
            .await;
    }
    let alices = async |live_only: bool| -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM tower_sessions WHERE user_id = \
               (SELECT id FROM users WHERE username = 'alice') \
               AND (NOT $1 OR expiry_date > $2)",
        )
        .bind(live_only)
        .bind(clock.now_unix())
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert_eq!(
        alices(true).await,
        0,
        "no stray logged-in record in the device list"
    );
    // The sweeper leaves a record that is not alive yet for a minute (its log-in may still be
    // bringing it to life), then takes it.
    app.session_store().sweep().await.unwrap();
    assert_eq!(alices(false).await, 1);
    clock.advance(std::time::Duration::from_secs(61));
    app.session_store().sweep().await.unwrap();
    assert_eq!(alices(false).await, 0, "the sweeper took the dead one");
    let html = app.html("/dashboard").await;
    assert!(html.contains("Hello, bob!"), "still bob: {html}");
    assert_eq!(banner(&html), [flash("info", "For bob.")]);
}

#[tokio::test]
async fn the_session_keeps_only_the_user_id_and_log_in_facts() {
    let app = spawn_app().await;
    app.signed_in("alice").await;
    let data: Vec<u8> = sqlx::query_scalar("SELECT data FROM tower_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&data);
    assert!(!text.contains("Password123"));
    assert!(!text.contains("argon2"));
    assert!(text.contains("user_id"));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    app.html("/login").await;

    let wrong = app.login("alice", "WrongPassword").await;
    let wrong = (wrong.status(), wrong.headers()["location"].clone());
    let wrong_page = banner(&app.html("/login").await);

    let unknown = app.login("nobody", "WrongPassword").await;
    let unknown = (unknown.status(), unknown.headers()["location"].clone());
    let unknown_page = banner(&app.html("/login").await);

    assert_eq!(wrong, unknown);
    assert_eq!(wrong.0, 303);
    assert_eq!(wrong_page, [flash("error", "Wrong username or password.")]);
    assert_eq!(wrong_page, unknown_page);
}

#[tokio::test]
async fn empty_fields_are_an_error_flash() {
    let app = spawn_app().await;
    for (username, password) in [("", ""), ("alice", ""), ("", "Password123")] {
        let res = app.login(username, password).await;
        assert_eq!(res.headers()["location"], "/login");
        let html = app.html("/login").await;
        assert_eq!(
            banner(&html),
            [flash("error", "Enter your username and password.")]
        );
    }
}

#[tokio::test]
async fn log_in_goes_to_next_only_when_it_is_a_local_path() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    for (next, expected) in [
        ("/flash-demo", "/flash-demo"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/x", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ] {
        let res = app
            .post_form(
                "/api/login",
                &[
                    ("username", "alice"),
                    ("password", "Password123"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.headers()["location"], expected, "next={next:?}");
    }
}

#[tokio::test]
async fn log_in_upgrades_a_weaker_stored_hash() {
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version, password_hash::SaltString};
    let app = spawn_app().await;
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(
        b"Password123",
        &SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap(),
    )
    .unwrap()
    .to_string();
    sqlx::query("INSERT INTO users (username, username_key, email, password_hash) VALUES ('old', 'old', 'o@example.com', $1)")
        .bind(&weak)
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app.login("old", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'old'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

#[tokio::test]
async fn the_app_path_gets_a_client_redirect() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    let res = app
        .call(
            "/api/login",
            &[("username", "alice"), ("password", "Password123")],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("serverfnredirect"));
    assert_eq!(res.headers()["location"], "/dashboard");
}

// --- Dashboard and log-out ----------------------------------------------------------------------

#[tokio::test]
async fn anonymous_dashboard_visit_is_sent_to_login_with_a_warning() {
    let app = spawn_app().await;
    let res = app.get("/dashboard").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=/dashboard");
    let html = app.html("/login?next=/dashboard").await;
    assert_eq!(banner(&html), [flash("warning", "Please log in first.")]);
    assert!(
        html.contains(r#"value="/dashboard""#),
        "next is carried in the form: {html}"
    );
}

#[tokio::test]
async fn a_head_request_or_a_prefetch_leaves_the_kept_form_input() {
    let app = spawn_app().await;
    let res = app.register("bob", "not-an-address", "Password123").await;
    assert_eq!(res.status(), 303);
    let head = app.client.head(app.url("/register")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let prefetch = app
        .get_with_header("/register", "sec-purpose", "prefetch")
        .await;
    let prefetched = prefetch.text().await.unwrap();
    assert!(!prefetched.contains(r#"value="bob""#), "{prefetched}");
    // The page the user then sees still has what they typed.
    let html = app.html("/register").await;
    assert!(html.contains(r#"value="bob""#), "{html}");
    assert!(html.contains(r#"value="not-an-address""#), "{html}");
}

#[tokio::test]
async fn a_trailing_slash_does_not_get_around_the_log_in_guard() {
    let app = spawn_app().await;
    for page in ["/dashboard/", "/session/"] {
        let res = app.get(page).await;
        assert_eq!(res.status(), 303, "{page}");
        let target = format!("/login?next={}", page.trim_end_matches('/'));
        assert_eq!(res.headers()["location"], target.as_str(), "{page}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_session_facts() {
    let app = spawn_app().await;
    app.register("alice", "alice@example.com", "Password123")
        .await;
    app.post_form(
        "/api/login",
        &[
            ("username", "alice"),
            ("password", "Password123"),
            ("remember", "on"),
        ],
    )
    .await;
    let html = app.html("/dashboard").await;
    assert!(html.contains("Hello, alice!"), "{html}");
    assert!(html.contains(r#"data-testid="remembered">yes"#), "{html}");
    assert!(html.contains(" UTC</time>"), "{html}");
    assert!(html.contains(r#"<time datetime="20"#), "{html}");
    assert!(html.contains("Log out"), "{html}");
}

#[tokio::test]
async fn logging_out_kills_the_session_even_when_its_cookie_is_replayed() {
    let app = spawn_app().await;
    app.signed_in("alice").await;
    let old = app.session_cookie().unwrap();
    let old_id = app.session_id().unwrap();
    assert_eq!(app.get("/dashboard").await.status(), 200);

    let res = app.post_form("/api/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let html = app.html("/login").await;
    assert_eq!(banner(&html), [flash("info", "You have been logged out.")]);
    assert_eq!(app.get("/dashboard").await.status(), 303);

    let res = app.get_with_session("/dashboard", &old).await;
    assert_eq!(res.status(), 303, "a replayed cookie must be anonymous");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions WHERE id = $1")
        .bind(&old_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn log_out_is_post_only() {
    let app = spawn_app().await;
    app.signed_in("alice").await;
    let res = app.get("/api/logout").await;
    assert_eq!(res.status(), 405);
    assert_eq!(app.get("/dashboard").await.status(), 200, "still logged in");
}

// --- The session cookie -----------------------------------------------------------------------

#[tokio::test]
async fn a_tampered_or_forged_cookie_is_an_anonymous_visitor_never_an_error() {
    let app = spawn_app().await;
    app.signed_in("alice").await;
    let cookie = app.session_cookie().unwrap();
    let id = app.session_id().unwrap();
    // The genuine cookie works from another browser (so the forgeries below are meaningful).
    assert_eq!(
        app.get_with_session("/dashboard", &cookie).await.status(),
        200
    );

    // The bare id without its signature, a flipped character, and garbage.
    let mut flipped = cookie.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for forged in [id.as_str(), flipped.as_str(), "garbage", ""] {
        let res = app.get_with_session("/dashboard", forged).await;
        assert_eq!(res.status(), 303, "{forged:?} must not be logged in");
        let res = app.get_with_session("/", forged).await;
        assert_eq!(res.status(), 200, "{forged:?} must not be an error");
    }
}
