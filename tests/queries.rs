//! The database work of a page view, counted statement by statement (sqlx logs each one under
//! the `sqlx::query` target; this binary installs a subscriber that records them). Counting,
//! not timing: a page view that asks the database once more than it needs is a regression
//! however fast this machine is.
//!
//! One test per binary run at a time: the recorder is process-wide, so the tests here take a
//! lock around what they measure.
#![cfg(feature = "ssr")]

mod common;

use std::sync::{Mutex, MutexGuard};

use common::{banner, spawn_app};
use tracing::field::{Field, Visit};
use tracing_subscriber::{Layer, layer::SubscriberExt, util::SubscriberInitExt};

/// The statements sqlx ran since the last [`take`].
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Held by a test while it measures.
static MEASURING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Recorder;

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        // `summary` is the statement's first words; `db.statement` the whole of a longer one.
        #[derive(Default)]
        struct Statement {
            summary: String,
            whole: String,
        }
        impl Visit for Statement {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                self.record_str(field, &format!("{value:?}"));
            }
            fn record_str(&mut self, field: &Field, value: &str) {
                match field.name() {
                    "summary" => self.summary = value.to_owned(),
                    "db.statement" => self.whole = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        let Statement { summary, whole } = statement;
        lock(&STATEMENTS).push(if whole.is_empty() { summary } else { whole });
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn measuring() -> tokio::sync::MutexGuard<'static, ()> {
    let _ = tracing_subscriber::registry().with(Recorder).try_init();
    MEASURING.lock().await
}

/// The statements run since the last call.
fn take() -> Vec<String> {
    std::mem::take(&mut *lock(&STATEMENTS))
}

/// Each statement that names `table` (`FROM users`, `INTO flash`, ...).
fn naming(statements: &[String], table: &str) -> usize {
    statements
        .iter()
        .filter(|statement| {
            statement
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == table)
        })
        .count()
}

#[tokio::test]
async fn a_logged_in_page_view_reads_its_session_user_and_flashes_in_one_statement() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    app.signed_in("alice").await;
    // The log-in's flashes, shown on the first page.
    assert!(!banner(&app.html("/dashboard").await).is_empty());

    take();
    let html = app.html("/").await;
    assert!(html.contains("<strong>alice</strong>"), "{html}");
    let statements = take();
    // The session's load (which also tells whether flashes wait, and the user's name); no
    // separate look-up of the user or the flashes, and nothing written.
    assert_eq!(statements.len(), 1, "{statements:#?}");
    assert_eq!(naming(&statements, "tower_sessions"), 1, "{statements:#?}");

    // The dashboard adds only its device list.
    let html = app.html("/dashboard").await;
    assert!(html.contains("data-testid=\"devices\""), "{html}");
    let statements = take();
    assert_eq!(statements.len(), 2, "{statements:#?}");
}

#[tokio::test]
async fn an_anonymous_flash_round_trip_asks_the_database_nothing() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    take();
    assert_eq!(app.post_form("/api/flash_demo", &[]).await.status(), 303);
    assert_eq!(banner(&app.html("/").await).len(), 6);
    assert_eq!(banner(&app.html("/").await), []);
    let statements = take();
    assert_eq!(
        statements,
        Vec::<String>::new(),
        "the visitor cookie carries them"
    );
}

#[tokio::test]
async fn a_page_view_takes_waiting_flashes_with_one_more_statement() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    app.signed_in("alice").await;
    app.html("/").await; // shows the welcome
    assert_eq!(app.post_form("/api/flash_demo", &[]).await.status(), 303);

    take();
    assert_eq!(banner(&app.html("/").await).len(), 6);
    let statements = take();
    // The session's load, then the flashes' delete.
    assert_eq!(statements.len(), 2, "{statements:#?}");
    assert_eq!(naming(&statements, "flash"), 2, "{statements:#?}");

    take();
    assert_eq!(banner(&app.html("/").await), []);
    assert_eq!(take().len(), 1);
}

#[tokio::test]
async fn a_renamed_user_is_shown_by_the_current_name() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    app.signed_in("alice").await;
    sqlx::query("UPDATE users SET username = 'alicia' WHERE username = 'alice'")
        .execute(&app.pool)
        .await
        .unwrap();
    let html = app.html("/dashboard").await;
    assert!(html.contains("<strong>alicia</strong>"), "{html}");
}

#[tokio::test]
async fn six_flashes_are_written_with_one_insert() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    // A session first, so that what follows is only the flashes' work.
    app.signed_in("alice").await;
    app.html("/").await;

    take();
    assert_eq!(app.post_form("/api/flash_demo", &[]).await.status(), 303);
    let statements = take();
    // The session's load, one INSERT of all six, one DELETE of what exceeds the limit.
    assert_eq!(naming(&statements, "flash"), 3, "{statements:#?}");
    let inserts = statements
        .iter()
        .filter(|statement| statement.starts_with("INSERT INTO flash"))
        .count();
    assert_eq!(inserts, 1, "{statements:#?}");
    assert_eq!(banner(&app.html("/").await).len(), 6);
}

#[tokio::test]
async fn what_the_load_found_out_is_never_stored() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    app.signed_in("alice").await;
    // A page view (a load with its facts), then a save of that loaded session.
    app.html("/dashboard").await;
    let res = app
        .post_form(
            "/api/save_preferences",
            &[("theme", "dark"), ("density", "compact")],
        )
        .await;
    assert_eq!(res.status(), 303);

    let id: tower_sessions::session::Id = app.session_id().unwrap().parse().unwrap();
    let stored = flashboard::session::SessionStore::load_record(
        &app.state.db,
        &id,
        app.state.lifetimes.now_unix(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(stored.data.contains_key("preferences"), "{:?}", stored.data);
    assert!(!stored.data.contains_key("_loaded"), "{:?}", stored.data);
    let html = app.html("/session").await;
    assert!(
        !html.contains("_loaded"),
        "the inspector lists stored keys only"
    );
}

#[tokio::test]
async fn files_and_server_function_calls_gather_nothing_for_a_page() {
    let _measuring = measuring().await;
    let app = spawn_app().await;
    app.signed_in("alice").await;
    std::fs::write(app.site_root().join("favicon.svg"), "<svg/>").unwrap();
    take();
    // The site's files neither read the session nor show it.
    for file in ["/favicon.svg", "/pkg/flashboard.css"] {
        assert_eq!(app.get(file).await.status(), 200, "{file}");
        let statements = take();
        assert_eq!(statements, Vec::<String>::new(), "{file}");
    }
}
