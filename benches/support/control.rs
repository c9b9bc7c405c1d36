//! The control: a bare axum 0.8 + tower-sessions 0.14 app over the same database as Flashboard
//! (the same SQLite file, or the same PostgreSQL database), answering the benchmark's scenarios
//! with the same markup as Flashboard, rendered as strings.
//!
//! It does what those pages need from the stack and nothing more: the session layer (tower-
//! sessions' own `SqliteStore` or `PostgresStore`, in a table of its own), the same reads (user, devices, waiting
//! flashes), the same writes (flash rows, preferences, a log-in with one Argon2id hash under the
//! same bound), and the page as one string. Its markup is Flashboard's own, captured once at the
//! start of the run ([`Template`]), so both send the same bytes.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Form, Router,
    extract::State,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use sqlx::{PgPool, SqlitePool};
use tokio::sync::Semaphore;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The control's pool: the backend Flashboard runs on.
#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool (one body per backend; the SQL uses `$1`
/// placeholders, which both read).
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

/// Markup with holes: literal text, and slots filled per request in a fixed order.
#[derive(Clone, Debug)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Slot(usize),
}

impl Template {
    /// Cuts `html` at every occurrence of each `marks[i]`, which becomes slot `i`.
    pub fn new(html: &str, marks: &[&str]) -> Self {
        let mut pieces = vec![Piece::Text(html.to_owned())];
        for (slot, mark) in marks.iter().enumerate() {
            assert!(
                html.contains(mark),
                "template mark {mark:?} not in the page"
            );
            pieces = pieces
                .into_iter()
                .flat_map(|piece| match piece {
                    Piece::Text(text) => {
                        let mut out = Vec::new();
                        for (i, part) in text.split(mark).enumerate() {
                            if i > 0 {
                                out.push(Piece::Slot(slot));
                            }
                            out.push(Piece::Text(part.to_owned()));
                        }
                        out
                    }
                    slot => vec![slot],
                })
                .collect();
        }
        Self { pieces }
    }

    /// The page with `values[i]` in slot `i`.
    pub fn render(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(8192);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Slot(slot) => out.push_str(values[*slot]),
            }
        }
        out
    }
}

/// The pages, captured from Flashboard.
pub struct Pages {
    /// `/login` for a visitor. Slots: nonce.
    pub login: Template,
    /// `/dashboard`. Slots: nonce, user name, time, devices list.
    pub dashboard: Template,
    /// `/`. Slots: nonce, user name, flashes.
    pub home: Template,
}

#[derive(Clone)]
struct Control {
    pool: Pool,
    pages: Arc<Pages>,
    hashes: Arc<Semaphore>,
}

const USER_KEY: &str = "user_id";
const FLASH_KEY: &str = "flash";

/// Serves the control on a free port of 127.0.0.1 with its own pool over `database_url`
/// (Flashboard's), on the current runtime. Returns its address.
pub async fn spawn(database_url: &str, pages: Pages) -> SocketAddr {
    if database_url.starts_with("postgres") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(8)
            .connect(database_url)
            .await
            .expect("control pool");
        let store = PostgresStore::new(pool.clone())
            .with_schema_name("control")
            .unwrap();
        store.migrate().await.unwrap();
        for sql in [
            "CREATE TABLE IF NOT EXISTS control_flash (id BIGINT GENERATED ALWAYS AS IDENTITY \
             PRIMARY KEY, session_id TEXT NOT NULL, category TEXT NOT NULL, message TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS control_flash_session ON control_flash (session_id)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        serve(Pool::Postgres(pool), store, pages).await
    } else {
        let file = database_url.trim_start_matches("sqlite://");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .expect("control pool");
        let store = SqliteStore::new(pool.clone())
            .with_table_name("control_sessions")
            .unwrap();
        store.migrate().await.unwrap();
        for sql in [
            "CREATE TABLE IF NOT EXISTS control_flash (id INTEGER PRIMARY KEY, session_id TEXT \
             NOT NULL, category TEXT NOT NULL, message TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS control_flash_session ON control_flash (session_id)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        serve(Pool::Sqlite(pool), store, pages).await
    }
}

async fn serve<S>(pool: Pool, store: S, pages: Pages) -> SocketAddr
where
    S: SessionStore + Clone,
{
    let cpus = std::thread::available_parallelism().map_or(2, usize::from);
    let state = Control {
        pool,
        pages: Arc::new(pages),
        hashes: Arc::new(Semaphore::new(cpus)),
    };
    let sessions = SessionManagerLayer::new(store)
        .with_secure(false)
        .with_expiry(Expiry::OnSessionEnd);
    let app = Router::new()
        .route("/login", get(login_page))
        .route("/dashboard", get(dashboard))
        .route("/", get(home))
        .route("/flash", post(flash))
        .route("/prefs", post(prefs))
        .route("/api/login", post(log_in))
        .layer(sessions)
        // What a bare axum app compresses with (for clients that ask): tower-http's layer, at
        // the quality Flashboard used it with before its own (`web::compression`).
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4)),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

/// A fresh CSP nonce, as Leptos makes one (16 random bytes, base64).
fn nonce() -> String {
    use base64::Engine;
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn page(html: String, nonce: &str) -> Response {
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src \
         'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    );
    (
        [
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Html(html),
    )
        .into_response()
}

fn see_other(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

async fn login_page(State(c): State<Control>, _session: Session) -> Response {
    let nonce = nonce();
    page(c.pages.login.render(&[&nonce]), &nonce)
}

async fn user_name(pool: &Pool, session: &Session) -> Option<(i64, String)> {
    let id: i64 = session.get(USER_KEY).await.unwrap()?;
    on_pool!(pool, p => sqlx::query_as::<_, (i64, String)>("SELECT id, username FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(p)
        .await
        .unwrap())
}

/// The waiting flashes: read first, deleted only when there are some.
async fn take_flashes(pool: &Pool, session: &Session) -> String {
    let Some(id) = session.id() else {
        return String::new();
    };
    if session.get_value(FLASH_KEY).await.unwrap().is_none() {
        return String::new();
    }
    let rows: Vec<(i64, String, String)> = on_pool!(pool, p => sqlx::query_as(
        "DELETE FROM control_flash WHERE session_id = $1 RETURNING id, category, message",
    )
    .bind(id.to_string())
    .fetch_all(p)
    .await
    .unwrap());
    // Errors in the region that interrupts, the rest in the polite one, as Flashboard's banner.
    let (mut alerts, mut statuses) = (String::new(), String::new());
    for (id, category, message) in rows {
        let (into, focus) = if category == "error" {
            (&mut alerts, " tabindex=\"-1\"")
        } else {
            (&mut statuses, "")
        };
        into.push_str(&format!(
            "<div data-category=\"{category}\"{focus} class=\"flash flash-{category} \
             flash-cat-{category}\"><p class=\"flash-message\">{message}</p><input \
             type=\"checkbox\" id=\"flash-{id}-dismiss\" aria-label=\"Dismiss\" \
             class=\"flash-dismiss-toggle\"><label for=\"flash-{id}-dismiss\" \
             aria-hidden=\"true\" class=\"flash-dismiss\">×</label></div>"
        ));
    }
    format!(
        "<div role=\"alert\" aria-atomic=\"false\" class=\"flash-alerts\">{alerts}<!></div>\
         <div role=\"status\" aria-atomic=\"false\" class=\"flash-statuses\">{statuses}<!></div>"
    )
}

async fn dashboard(State(c): State<Control>, session: Session) -> Response {
    let Some((user_id, name)) = user_name(&c.pool, &session).await else {
        return see_other("/login");
    };
    let flashes = take_flashes(&c.pool, &session).await;
    let devices: Vec<(i64, i64, Option<String>)> = on_pool!(&c.pool, p => sqlx::query_as(
        "SELECT started_at, last_seen, user_agent FROM tower_sessions \
         WHERE user_id = $1 ORDER BY last_seen DESC",
    )
    .bind(user_id)
    .fetch_all(p)
    .await
    .unwrap());
    let mut list = String::new();
    for (started, seen, agent) in &devices {
        list.push_str(&format!(
            "<li data-current=\"true\" class=\"device\"><div><strong>{}</strong> <span \
             class=\"badge\">this device</span><div class=\"hint\">Logged in {} · Last seen \
             {}</div></div></li>",
            agent.as_deref().unwrap_or("Unknown browser"),
            format_time(*started),
            format_time(*seen),
        ));
    }
    let time = format_time(devices.first().map_or(0, |d| d.0));
    let nonce = nonce();
    let html = c
        .pages
        .dashboard
        .render(&[&nonce, &name, &time, &list, &flashes]);
    page(html, &nonce)
}

async fn home(State(c): State<Control>, session: Session) -> Response {
    let name = user_name(&c.pool, &session)
        .await
        .map(|(_, name)| name)
        .unwrap_or_default();
    let flashes = take_flashes(&c.pool, &session).await;
    let nonce = nonce();
    page(c.pages.home.render(&[&nonce, &name, &flashes]), &nonce)
}

/// The demo's six flashes, as one insert.
async fn flash(State(c): State<Control>, session: Session) -> Response {
    if session.get_value(FLASH_KEY).await.unwrap().is_none() {
        session.insert(FLASH_KEY, true).await.unwrap();
    }
    if session.id().is_none() {
        session.save().await.unwrap();
    }
    let id = session.id().unwrap().to_string();
    on_pool!(&c.pool, p => sqlx::query(
        "INSERT INTO control_flash (session_id, category, message) VALUES \
         ($1, 'success', 'Logged in successfully.'), ($1, 'warning', 'Your password is weak.'), \
         ($1, 'info', 'Maintenance is planned for tonight.'), \
         ($1, 'error', 'The database connection failed.'), \
         ($1, 'message', 'A message without a category.'), \
         ($1, 'stock_alert', 'Only 3 left in stock.')",
    )
    .bind(&id)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    see_other("/")
}

#[derive(Deserialize)]
struct Prefs {
    theme: String,
    density: String,
}

/// Saves the preferences in the session, with a flash that says so (as Flashboard does).
async fn prefs(State(c): State<Control>, session: Session, Form(form): Form<Prefs>) -> Response {
    let valid = ["system", "light", "dark"].contains(&form.theme.as_str())
        && ["comfortable", "compact"].contains(&form.density.as_str());
    if valid {
        session
            .insert("preferences", (form.theme, form.density))
            .await
            .unwrap();
    }
    if session.get_value(FLASH_KEY).await.unwrap().is_none() {
        session.insert(FLASH_KEY, true).await.unwrap();
    }
    if session.id().is_none() {
        session.save().await.unwrap();
    }
    let id = session.id().unwrap().to_string();
    on_pool!(&c.pool, p => sqlx::query(
        "INSERT INTO control_flash (session_id, category, message) VALUES ($1, 'success', 'Saved.')",
    )
    .bind(&id)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    see_other("/settings")
}

#[derive(Deserialize)]
struct LogIn {
    username: String,
    password: String,
}

async fn log_in(State(c): State<Control>, session: Session, Form(form): Form<LogIn>) -> Response {
    let row: Option<(i64, String)> = on_pool!(&c.pool, p =>
        sqlx::query_as("SELECT id, password_hash FROM users WHERE username_key = $1")
            .bind(form.username.to_lowercase())
            .fetch_optional(p)
            .await
            .unwrap());
    let Some((id, hash)) = row else {
        return see_other("/login");
    };
    let permit = c.hashes.clone().acquire_owned().await.unwrap();
    let ok = tokio::task::spawn_blocking(move || {
        use argon2::{PasswordHash, PasswordVerifier};
        let _permit = permit;
        let hash = PasswordHash::new(&hash).unwrap();
        argon2::Argon2::default()
            .verify_password(form.password.as_bytes(), &hash)
            .is_ok()
    })
    .await
    .unwrap();
    if !ok {
        return see_other("/login");
    }
    session.cycle_id().await.unwrap();
    session.insert(USER_KEY, id).await.unwrap();
    see_other("/dashboard")
}

/// A moment as Flashboard's pages show it: `<time datetime>` with the words in English.
fn format_time(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    let month = u8::from(t.month());
    format!(
        "<time datetime=\"{}-{month:02}-{:02}T{:02}:{:02}:{:02}Z\">{} {} {}, {:02}:{:02} UTC</time>",
        t.year(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.day(),
        MONTHS[usize::from(month) - 1],
        t.year(),
        t.hour(),
        t.minute()
    )
}
