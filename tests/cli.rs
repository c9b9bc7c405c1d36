//! The operator's subcommands, run as the real binary against the database of a running app:
//! `user`, `sessions`, `events prune`, `backup` and `check-config`, with their output, their
//! errors and their exit statuses (0 done, 1 refused or failed, 2 a command line they cannot
//! read).
#![cfg(feature = "ssr")]

mod common;

use std::{io::Write, path::Path, process::Stdio};

use common::{TestApp, client, spawn_app};
use flashboard::db::Backend;

/// What a run of the binary said.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs `flashboard args...` in `dir` with only the environment `env` (plus `PATH`), writing
/// `stdin` to its standard input (not a terminal, so a password is read from it).
fn flashboard_in(dir: &Path, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Run {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flashboard"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `flashboard args...` on the database of `app`.
fn flashboard(app: &TestApp, args: &[&str], stdin: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    flashboard_in(
        dir.path(),
        &[("FLASHBOARD_DATABASE__URL", &app.config.database.url)],
        args,
        stdin,
    )
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn user_create_list_set_password_and_delete() {
    let app = spawn_app().await;
    let created = flashboard(
        &app,
        &["user", "create", "ana", "--email", "ana@example.com"],
        "Password123\n",
    );
    assert_eq!(created.status, 0, "{}", created.stderr);
    assert_eq!(created.stdout, "created user ana (id 1)\n");
    // The account works: it logs in over HTTP.
    let res = app.login("ana", "Password123").await;
    assert_eq!(res.headers()["location"], "/dashboard");

    // Refused: a taken name, the registration rules, a password on the command line.
    let taken = flashboard(
        &app,
        &["user", "create", "ANA", "--email", "a@example.com"],
        "Password123\n",
    );
    assert_eq!(taken.status, 1);
    assert!(
        taken.stderr.contains(r#"the name "ANA" is taken"#),
        "{}",
        taken.stderr
    );
    let invalid = flashboard(&app, &["user", "create", "x", "--email", "nope"], "short\n");
    assert_eq!(invalid.status, 1);
    for words in [
        "username: A username has 3 to 32 characters.",
        "email:",
        "password: A password has 8 to 128 characters.",
    ] {
        assert!(
            invalid.stderr.contains(words),
            "{words}: {}",
            invalid.stderr
        );
    }
    let on_argv = flashboard(
        &app,
        &[
            "user",
            "create",
            "bob",
            "--email",
            "b@example.com",
            "--password",
            "Password123",
        ],
        "",
    );
    assert_eq!(on_argv.status, 2);
    assert!(on_argv.stderr.contains("unexpected argument '--password'"));
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 1);

    let list = flashboard(&app, &["user", "list"], "");
    assert_eq!(list.status, 0);
    let row = list
        .stdout
        .lines()
        .find(|line| line.contains("ana"))
        .unwrap();
    assert!(row.contains("ana@example.com"), "{row}");
    assert!(row.trim_end().ends_with(" 1"), "one live session: {row}");
    assert!(list.stdout.ends_with("1 user(s)\n"), "{}", list.stdout);

    // A new password ends every session of the user, and voids their reset links.
    client()
        .post(app.url("/api/forgot_password"))
        .header("accept", "text/html")
        .form(&[("login", "ana")])
        .send()
        .await
        .unwrap();
    app.state.mailer.settled().await;
    assert_eq!(count(&app, "SELECT count(*) FROM password_resets").await, 1);
    let set = flashboard(
        &app,
        &["user", "set-password", "ana"],
        "New password 456\r\n",
    );
    assert_eq!(set.status, 0, "{}", set.stderr);
    assert_eq!(set.stdout, "password of ana changed; 1 session(s) ended\n");
    assert_eq!(app.get("/dashboard").await.status(), 303);
    assert_eq!(count(&app, "SELECT count(*) FROM password_resets").await, 0);
    let res = app.login("ana", "New password 456").await;
    assert_eq!(res.headers()["location"], "/dashboard");
    let short = flashboard(&app, &["user", "set-password", "ana"], "short\n");
    assert_eq!(short.status, 1);
    assert!(short.stderr.contains("8 to 128 characters"));
    let nobody = flashboard(&app, &["user", "set-password", "nobody"], "Password123\n");
    assert_eq!(nobody.status, 1);
    assert!(
        nobody.stderr.contains(r#"no user named "nobody""#),
        "{}",
        nobody.stderr
    );

    let deleted = flashboard(&app, &["user", "delete", "ana"], "");
    assert_eq!(deleted.status, 0, "{}", deleted.stderr);
    assert!(deleted.stdout.starts_with("deleted user ana (id 1)"));
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 0);
    assert_eq!(app.get("/dashboard").await.status(), 303);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM auth_events WHERE username = 'ana'"
        )
        .await,
        0
    );
    assert_eq!(flashboard(&app, &["user", "delete", "ana"], "").status, 1);
    assert_eq!(flashboard(&app, &["user", "--help"], "").status, 0);
}

#[tokio::test]
async fn sessions_are_listed_by_fingerprint_and_purged() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let visitor = app.new_client();
    visitor.get(app.url("/flash-demo")).send().await.unwrap();
    visitor
        .post(app.url("/api/flash_demo"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let id = app.session_id().unwrap();
    let list = flashboard(&app, &["sessions", "list"], "");
    assert_eq!(list.status, 0, "{}", list.stderr);
    let fingerprint = flashboard::session::user_sessions::fingerprint(&id);
    let row = list
        .stdout
        .lines()
        .find(|line| line.starts_with(&fingerprint));
    assert!(
        row.is_some_and(|row| row.contains("ana")),
        "{}",
        list.stdout
    );
    assert!(!list.stdout.contains(&id), "never the session id itself");
    let only_ana = flashboard(&app, &["sessions", "list", "--user", "ana"], "");
    assert!(
        only_ana.stdout.ends_with("1 live session(s), 1 shown\n"),
        "{}",
        only_ana.stdout
    );

    // An expired record, as a browser that went away leaves it.
    sqlx::query("INSERT INTO tower_sessions (id, data, expiry_date) VALUES ('gone', $1, 1)")
        .bind(Vec::<u8>::new())
        .execute(&app.pool)
        .await
        .unwrap();
    let neither = flashboard(&app, &["sessions", "purge"], "");
    assert_eq!(neither.status, 2, "--expired or --user is required");
    let both = flashboard(
        &app,
        &["sessions", "purge", "--expired", "--user", "ana"],
        "",
    );
    assert_eq!(both.status, 2);
    let expired = flashboard(&app, &["sessions", "purge", "--expired"], "");
    assert_eq!(expired.status, 0, "{}", expired.stderr);
    assert_eq!(expired.stdout, "1 expired session(s) deleted\n");
    assert_eq!(
        app.get("/dashboard").await.status(),
        200,
        "a live one stays"
    );

    let ended = flashboard(&app, &["sessions", "purge", "--user", "ana"], "");
    assert_eq!(ended.stdout, "1 session(s) of ana ended\n");
    assert_eq!(app.get("/dashboard").await.status(), 303);
    let unknown = flashboard(&app, &["sessions", "list", "--user", "nobody"], "");
    assert_eq!(unknown.status, 1);
}

#[tokio::test]
async fn events_are_pruned_by_age() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let now = app.state.lifetimes.now_unix();
    for days in [100, 95, 30] {
        sqlx::query("INSERT INTO auth_events (at, kind, ip) VALUES ($1, 'login', '192.0.2.1')")
            .bind(now - days * 86_400)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let before = count(&app, "SELECT count(*) FROM auth_events").await;
    let pruned = flashboard(&app, &["events", "prune", "--older-than", "90days"], "");
    assert_eq!(pruned.status, 0, "{}", pruned.stderr);
    assert!(
        pruned.stdout.starts_with("2 auth event(s) from before "),
        "{}",
        pruned.stdout
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM auth_events").await,
        before - 2
    );

    let too_young = flashboard(&app, &["events", "prune", "--older-than", "10m"], "");
    assert_eq!(too_young.status, 1);
    assert!(
        too_young.stderr.contains("at least 1h"),
        "{}",
        too_young.stderr
    );
    let unreadable = flashboard(&app, &["events", "prune", "--older-than", "soon"], "");
    assert_eq!(unreadable.status, 2);
    assert!(
        unreadable.stderr.contains("--older-than"),
        "{}",
        unreadable.stderr
    );
}

#[tokio::test]
async fn backup_copies_the_database_while_the_server_runs() {
    let app = spawn_app().await;
    app.signed_in("ana").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap();
    let run = flashboard(&app, &["backup", copy_arg], "");
    if app.backend() == Backend::Postgres {
        assert_eq!(run.status, 1);
        assert!(run.stderr.contains("pg_dump"), "{}", run.stderr);
        return;
    }
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with(&format!("backed up the database to {copy_arg} ("))
    );
    // The copy is a database of its own with the same rows.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{copy_arg}"))
        .await
        .unwrap();
    let users: Vec<String> = sqlx::query_scalar("SELECT username FROM users")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(users, ["ana"]);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the copy holds session ids");
    }
    // The server went on serving meanwhile, and a second copy never overwrites the first.
    assert_eq!(app.get("/dashboard").await.status(), 200);
    let again = flashboard(&app, &["backup", copy_arg], "");
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let missing = flashboard(&app, &["backup"], "");
    assert_eq!(missing.status, 2);
}

#[test]
fn check_config_says_where_each_setting_came_from_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Leptos.toml"),
        "mode = \"dev\"\n[server]\naddress = \"127.0.0.1:4000\"\n",
    )
    .unwrap();
    let url = "postgres://admin:hunter2@db.internal/flashboard";
    let run = flashboard_in(
        dir.path(),
        &[
            ("FLASHBOARD_DATABASE__URL", url),
            ("FLASHBOARD_SESSION__IDLE_TIMEOUT", "15m"),
        ],
        &["check-config"],
        "",
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let line = |key: &str| {
        run.stdout
            .lines()
            .find(|line| line.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{key}: {}", run.stdout))
            .to_owned()
    };
    assert!(line("mode").contains("\"dev\""));
    let from_file = |line: String| line.contains("# file ") && line.ends_with("Leptos.toml");
    assert!(from_file(line("mode")), "{}", line("mode"));
    assert!(line("server.address").contains("\"127.0.0.1:4000\""));
    assert!(from_file(line("server.address")));
    assert!(line("database.url").contains("postgres://admin:***@db.internal/flashboard"));
    assert!(line("database.url").ends_with("# environment variable FLASHBOARD_DATABASE__URL"));
    assert!(line("session.idle_timeout").contains("\"15m\""));
    assert!(line("session.absolute_timeout").ends_with("# default"));
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    assert!(
        run.stdout.contains("SECRET_KEY: not set: dev mode"),
        "{}",
        run.stdout
    );

    // Production: the key must be there and strong, and is never printed.
    std::fs::write(dir.path().join("Leptos.toml"), "").unwrap();
    let missing = flashboard_in(dir.path(), &[], &["check-config"], "");
    assert_eq!(missing.status, 1);
    assert!(
        missing.stderr.contains("SECRET_KEY is not set"),
        "{}",
        missing.stderr
    );
    let weak = flashboard_in(
        dir.path(),
        &[("SECRET_KEY", "password")],
        &["check-config"],
        "",
    );
    assert_eq!(weak.status, 1);
    assert!(weak.stderr.contains("too easy to guess"), "{}", weak.stderr);
    let key = "3f8a1c9e7b2d4f60a5c8e1b3d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5";
    let strong = flashboard_in(dir.path(), &[("SECRET_KEY", key)], &["check-config"], "");
    assert_eq!(strong.status, 0, "{}", strong.stderr);
    assert!(!strong.stdout.contains(key));
    assert!(
        strong.stdout.contains("SECRET_KEY: set (masked"),
        "{}",
        strong.stdout
    );

    // Half an SMTP login is a mistake.
    let half = flashboard_in(
        dir.path(),
        &[("SECRET_KEY", key), ("SMTP_USERNAME", "mailer")],
        &["check-config"],
        "",
    );
    assert_eq!(half.status, 1);
    assert!(half.stderr.contains("SMTP_PASSWORD"), "{}", half.stderr);
    assert!(
        strong
            .stdout
            .contains("SMTP_USERNAME, SMTP_PASSWORD: not set")
    );

    // An invalid file: status 1, the key and the file named.
    std::fs::write(dir.path().join("Leptos.toml"), "[server]\nadress = \"x\"\n").unwrap();
    let invalid = flashboard_in(dir.path(), &[("SECRET_KEY", key)], &["check-config"], "");
    assert_eq!(invalid.status, 1);
    assert!(invalid.stderr.contains("adress"), "{}", invalid.stderr);
    assert!(invalid.stderr.contains("Leptos.toml"), "{}", invalid.stderr);
}

#[tokio::test]
async fn chores_never_create_a_database_nor_change_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    if common::backend::backend() == Backend::Sqlite {
        // A mistyped path: refused, and no file is made there.
        let missing = dir.path().join("typo.db");
        let url = format!("sqlite://{}", missing.display());
        let copy = dir.path().join("copy.db");
        let run = flashboard_in(
            dir.path(),
            &[("FLASHBOARD_DATABASE__URL", &url)],
            &["backup", copy.to_str().unwrap()],
            "",
        );
        assert_eq!(run.status, 1);
        assert!(run.stderr.contains("no database at"), "{}", run.stderr);
        assert!(!missing.exists() && !copy.exists());
    }
    // A database without this version's last migration: refused, and left as it is.
    let app = spawn_app().await;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 14")
        .execute(&app.pool)
        .await
        .unwrap();
    let run = flashboard(&app, &["user", "list"], "");
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("run `flashboard migrate` first"),
        "{}",
        run.stderr
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM _sqlx_migrations WHERE version = 14"
        )
        .await,
        0
    );
}
