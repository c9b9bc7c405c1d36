//! Flashboard against a bare axum + tower-sessions control, over real HTTP, in one run.
//!
//! Run with `cargo bench --features ssr --bench http` (an optimised build; a few minutes the
//! first time). The server runtime has one worker per CPU, as in production; the load comes from
//! one client thread of this process with `BENCH_CONNECTIONS` keep-alive connections (default
//! 32) for `BENCH_SECONDS` per round (default 3), every response checked.
//!
//! Each scenario runs against the control (`support/control.rs`: the same pages as strings, the
//! same database reads and writes, over the same SQLite file) and against Flashboard, taking
//! turns for `BENCH_ROUNDS` rounds (default 3), and prints for each: operations per second, p50,
//! p99 and the longest latency, the server's and the client's CPU time per operation, and
//! Flashboard's throughput as a ratio of the control's, with the range of the rounds' ratios.
//! The ratio is the number to compare between runs and machines; absolute numbers drift with
//! the machine's other load.
//!
//! `cargo bench --features ssr --bench http -- --database postgres://user@host:port/db` runs
//! every scenario twice in one run: on SQLite, then on PostgreSQL (Flashboard and the control
//! each on a new database created on that server, dropped afterwards), and prints a table for
//! each.
//!
//! `BENCH_LARGE=1` adds the large-store run (SQLite): 1,000,000 live and 1,000,000 expired sessions in the
//! table, then logged-in traffic (dashboard views and preference saves) for as long as the sweep
//! takes to delete the expired ones, with the p99, the longest request and how many took over
//! 20 and 50 ms. `BENCH_ONLY=name` runs only the scenarios whose name
//! contains `name`. The process's resident memory (now and peak) is printed at the end;
//! `BENCH_MEMORY=1` prints it after every scenario too, and `BENCH_FLASHBOARD_ONLY=1` leaves the
//! control out, so the peak is Flashboard's (plus the client's). `BENCH_PROCESS=1` serves
//! Flashboard from its own binary in a process of its own (`support/process.rs`) and leaves the
//! control out: the memory and server CPU printed are then that process's alone (SQLite only).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/control.rs"]
mod control;
#[path = "support/load.rs"]
mod load;
#[path = "support/process.rs"]
mod process;

use std::{net::SocketAddr, time::Duration};

use load::{Conn, Measured};

struct Settings {
    connections: usize,
    /// Per round; each app runs `rounds` times per scenario.
    seconds: Duration,
    rounds: usize,
    warmup: Duration,
    only: Option<String>,
    /// `BENCH_FLASHBOARD_ONLY=1`: skip the control (for profiling Flashboard alone).
    flashboard_only: bool,
    /// `BENCH_PROCESS=1`: Flashboard's binary in a process of its own, without the control.
    process: bool,
}

impl Settings {
    fn from_env() -> Self {
        let number = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|value| value.parse().ok())
                .unwrap_or(default)
        };
        Self {
            connections: number("BENCH_CONNECTIONS", 32) as usize,
            seconds: Duration::from_secs(number("BENCH_SECONDS", 3)),
            rounds: number("BENCH_ROUNDS", 3).max(1) as usize,
            warmup: Duration::from_millis(500),
            only: std::env::var("BENCH_ONLY").ok(),
            flashboard_only: std::env::var_os("BENCH_FLASHBOARD_ONLY").is_some()
                || std::env::var_os("BENCH_PROCESS").is_some(),
            process: std::env::var_os("BENCH_PROCESS").is_some(),
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.only.as_deref().is_none_or(|only| name.contains(only))
    }
}

fn print_header() {
    println!(
        "{:<40} {:>8} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>6}",
        "scenario", "app", "ops/s", "p50 ms", "p99 ms", "max ms", "srv us/op", "cli us/op", "ratio"
    );
}

/// `ratio`: Flashboard's pooled rate over the control's, and the lowest and highest of a round.
fn print_row(name: &str, app: &str, m: &Measured, ratio: Option<(f64, f64, f64)>) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{:<40} {:>8} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>9.0} {:>9.0} {:>6}",
        name,
        app,
        m.rate(),
        ms(m.percentile(0.5)),
        ms(m.percentile(0.99)),
        ms(m.max()),
        m.server_cpu_per_op_us(),
        m.client_cpu_per_op_us(),
        ratio.map_or_else(String::new, |(pooled, lowest, highest)| format!(
            "{:.0}% ({:.0}-{:.0}%)",
            pooled * 100.0,
            lowest * 100.0,
            highest * 100.0
        )),
    );
}

/// A user name per connection.
fn user(index: usize) -> String {
    format!("bench{index}")
}

async fn log_in(conn: &mut Conn, index: usize) {
    let form = format!("username={}&password=Password123", user(index));
    let reply = conn.post_form("/api/login", &form).await;
    assert_eq!(reply.status, 303, "log-in of {}", user(index));
    // The welcome flash is for the first page; take it so the scenarios start clean.
    conn.get("/").await;
}

struct Apps {
    flashboard: SocketAddr,
    /// `None` with `BENCH_FLASHBOARD_ONLY`.
    control: Option<SocketAddr>,
}

/// The PostgreSQL server of `--database URL` (or `--database=URL`), if given.
fn postgres_arg() -> Option<String> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    while let Some(arg) = args.next() {
        if arg == "--database" {
            url = args.next();
        } else if let Some(value) = arg.strip_prefix("--database=") {
            url = Some(value.to_owned());
        }
    }
    let url = url?;
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        eprintln!(
            "--database: a PostgreSQL server URL, such as postgres://postgres@127.0.0.1:5432/postgres"
        );
        std::process::exit(2);
    }
    Some(url)
}

fn main() {
    let settings = Settings::from_env();
    let postgres = postgres_arg();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "Flashboard vs. bare axum + tower-sessions: {} connections, {} rounds of {} s per scenario, \
         {} CPUs",
        settings.connections,
        settings.rounds,
        settings.seconds.as_secs(),
        std::thread::available_parallelism().map_or(0, usize::from),
    );
    if settings.process {
        if postgres.is_some() {
            eprintln!("BENCH_PROCESS=1 runs on SQLite only; leave out --database");
            std::process::exit(2);
        }
        run_in_process_of_its_own(&settings);
        return;
    }
    run_on(&settings, &runtime, None);
    if postgres.is_some() {
        run_on(&settings, &runtime, postgres);
    }
    if std::env::var_os("BENCH_LARGE").is_some() {
        large_store(&settings, &runtime);
    }
}

/// Every scenario with both apps on a new database: on the PostgreSQL server `postgres`, or an
/// SQLite file.
fn run_on(settings: &Settings, runtime: &tokio::runtime::Runtime, postgres: Option<String>) {
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let app = runtime.block_on(common::spawn_app_on(postgres, |config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::MAX;
    }));
    let flashboard: SocketAddr = app.base_url.trim_start_matches("http://").parse().unwrap();

    // One account per connection, then Flashboard's pages captured for the control.
    let connections = settings.connections;
    let only = settings.flashboard_only;
    let pages = load::once(flashboard, async move |conn| {
        register_all(conn, connections).await;
        if only {
            None
        } else {
            Some(capture(conn).await)
        }
    });
    let url = app.config.database.url.clone();
    let control = pages.map(|pages| runtime.block_on(control::spawn(&url, pages)));
    let apps = Apps {
        flashboard,
        control,
    };

    println!("\n== {backend}\n");
    print_memory_if_asked();
    print_header();
    scenarios(settings, &apps);
    print_memory();
    drop(app);
}

/// `BENCH_PROCESS`: every scenario against Flashboard's binary serving from a process of its
/// own, with that process's memory.
fn run_in_process_of_its_own(settings: &Settings) {
    let server = process::ServerProcess::start();
    let connections = settings.connections;
    load::once(server.address, async move |conn| {
        register_all(conn, connections).await
    });
    let apps = Apps {
        flashboard: server.address,
        control: None,
    };
    println!("\n== SQLite, Flashboard's binary in a process of its own\n");
    print_memory();
    print_header();
    scenarios(settings, &apps);
    print_memory();
    drop(server);
}

/// With `BENCH_MEMORY`: [`print_memory`].
fn print_memory_if_asked() {
    if std::env::var_os("BENCH_MEMORY").is_some() {
        print_memory();
    }
}

/// The process's resident memory now and at its peak (both apps, the client and their
/// databases' caches: an upper bound for either server alone), or with `BENCH_PROCESS` the
/// Flashboard process's alone.
fn print_memory() {
    let pid = load::SERVER_PID.load(std::sync::atomic::Ordering::Relaxed);
    let (path, whose) = if pid == 0 {
        ("/proc/self/status".to_owned(), "the benchmark process")
    } else {
        (format!("/proc/{pid}/status"), "the Flashboard process")
    };
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map_or_else(|| "?".to_owned(), |value| value.trim().to_owned())
    };
    println!(
        "\nresident memory of {whose}: now {} (heap and stacks {}, mapped files such as the \
         code {}), peak {}",
        field("VmRSS:"),
        field("RssAnon:"),
        field("RssFile:"),
        field("VmHWM:")
    );
}

/// Registers one account per connection.
async fn register_all(conn: &mut Conn, connections: usize) {
    for index in 0..connections {
        let form = format!(
            "username={0}&email={0}%40example.com&password=Password123",
            user(index)
        );
        assert_eq!(conn.post_form("/api/register", &form).await.status, 303);
        conn.cookie = None;
    }
}

/// The large-store run: `BENCH_LARGE_ROWS` (default 1,000,000) live and as many expired
/// sessions, then logged-in traffic (half the connections load the dashboard, half save
/// preferences, which writes) for `BENCH_SECONDS` with the sweeper idle, and then for as long
/// as the sweep takes to delete every expired row.
fn large_store(settings: &Settings, runtime: &tokio::runtime::Runtime) {
    let rows: i64 = std::env::var("BENCH_LARGE_ROWS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000);
    // Few connections, so that the machine is not saturated and what the sweep adds shows.
    let connections: usize = std::env::var("BENCH_LARGE_CONNECTIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(4);
    let app = runtime.block_on(common::spawn_app_with(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::MAX;
        // The sweep is started below, while the traffic runs.
        config.session.sweep_interval = Duration::from_secs(86_400).try_into().unwrap();
    }));
    let addr: SocketAddr = app.base_url.trim_start_matches("http://").parse().unwrap();
    load::once(addr, async move |conn| {
        register_all(conn, connections).await
    });
    let filled = std::time::Instant::now();
    runtime.block_on(async {
        for (prefix, expiry) in [("live", "unixepoch() + 3600"), ("gone", "unixepoch() - 60")] {
            sqlx::query(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
                 INSERT INTO tower_sessions (id, data, expiry_date) \
                 SELECT '{prefix}' || i, randomblob(120), {expiry} FROM n"
            ))
            .bind(rows)
            .execute(&app.pool)
            .await
            .unwrap();
        }
    });
    println!(
        "\nLarge store: {rows} live and {rows} expired sessions (written in {:.1} s), \
         {connections} connections",
        filled.elapsed().as_secs_f64()
    );
    let expired = || {
        runtime.block_on(
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM tower_sessions WHERE expiry_date <= unixepoch()",
            )
            .fetch_one(&app.pool),
        )
    };
    let mixed = async |index: usize, conn: &mut Conn| {
        let started = std::time::Instant::now();
        let kind = if index.is_multiple_of(2) {
            let reply = conn.get("/dashboard").await;
            assert_eq!(reply.status, 200);
            Kind::Read
        } else {
            let form = "theme=dark&density=compact";
            let reply = conn.post_form("/api/save_preferences", form).await;
            assert_eq!(reply.status, 303);
            Kind::Write
        };
        kind.took(started.elapsed());
    };
    print_header();
    // The warm-up as a run of its own, so that the per-kind counts cover the measured requests.
    load::run(
        addr,
        connections,
        Duration::ZERO,
        settings.warmup,
        async |index, conn| log_in(conn, index).await,
        mixed,
    );
    Kind::reset();
    let idle = load::run(
        addr,
        connections,
        Duration::ZERO,
        settings.seconds,
        async |index, conn| log_in(conn, index).await,
        mixed,
    );
    print_row("mixed, sweeper idle", "flashbrd", &idle, None);
    print_slow(&idle);
    Kind::print_and_reset();
    let inline = || app.state.db.inline_checkpoints().unwrap_or_default();
    let inline_before = inline();
    let before = expired().unwrap();
    // The sweeper's own work (`SessionStore::sweep`), started as the traffic starts.
    let store = flashboard::session::SessionStore::new(
        app.state.db.clone(),
        app.state.lifetimes.clone(),
        app.state.db_health.clone(),
    );
    let sweep = runtime.spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let started = std::time::Instant::now();
        let deleted = store.sweep().await.unwrap();
        (deleted, started.elapsed())
    });
    // The traffic runs in parts of 15 s until the sweep has deleted every expired row (about
    // two minutes for a million), so that the whole sweep is measured.
    let mut parts = Vec::new();
    let traffic_started = std::time::Instant::now();
    while !sweep.is_finished() && traffic_started.elapsed() < SWEEP_TRAFFIC_LIMIT {
        parts.push(load::run(
            addr,
            connections,
            Duration::ZERO,
            Duration::from_secs(15),
            async |index, conn| log_in(conn, index).await,
            mixed,
        ));
    }
    let sweeping = Measured::pooled(parts);
    let after = expired().unwrap();
    print_row("mixed, while sweeping", "flashbrd", &sweeping, None);
    print_slow(&sweeping);
    Kind::print_and_reset();
    println!(
        "  commits that copied the log themselves (inline checkpoints): {inline_before} before \
         the sweep, {} during it",
        inline() - inline_before
    );
    match runtime.block_on(async { tokio::time::timeout(Duration::ZERO, sweep).await }) {
        Ok(Ok((deleted, took))) => println!(
            "the sweep deleted {deleted} expired sessions in {:.1} s",
            took.as_secs_f64()
        ),
        _ => println!("the sweep was still running when the traffic stopped"),
    }
    println!(
        "expired rows before the sweep {before}, after {after}; live rows kept: {}",
        runtime
            .block_on(
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM tower_sessions WHERE id LIKE 'live%'"
                )
                .fetch_one(&app.pool)
            )
            .unwrap()
    );
    print_memory();
}

/// The large-store run's two kinds of request, told apart in its slow ones: a dashboard view
/// reads (no flash waits; the session's `last_seen` is written at most once a minute), a
/// preference save writes, so it alone waits for the lock a sweep batch holds.
#[derive(Clone, Copy)]
enum Kind {
    Read,
    Write,
}

/// Per kind: the longest request (us) and how many took over 20 ms, since the last print.
static LONGEST: [std::sync::atomic::AtomicU64; 2] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 2];
static OVER_20: [std::sync::atomic::AtomicU64; 2] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 2];

impl Kind {
    fn took(self, latency: Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        let us = latency.as_micros() as u64;
        LONGEST[self as usize].fetch_max(us, Relaxed);
        if latency > Duration::from_millis(20) {
            OVER_20[self as usize].fetch_add(1, Relaxed);
        }
    }

    fn reset() {
        use std::sync::atomic::Ordering::Relaxed;
        for kind in 0..2 {
            LONGEST[kind].store(0, Relaxed);
            OVER_20[kind].store(0, Relaxed);
        }
    }

    fn print_and_reset() {
        use std::sync::atomic::Ordering::Relaxed;
        let [read, write] = [0, 1].map(|kind| {
            (
                LONGEST[kind].swap(0, Relaxed) as f64 / 1000.0,
                OVER_20[kind].swap(0, Relaxed),
            )
        });
        println!(
            "  dashboard views (read): longest {:.1} ms, {} over 20 ms; preference saves \
             (write): longest {:.1} ms, {} over 20 ms",
            read.0, read.1, write.0, write.1
        );
    }
}

/// The longest the large-store run's traffic waits for its sweep to end.
const SWEEP_TRAFFIC_LIMIT: Duration = Duration::from_secs(600);

/// How many of `m`'s requests took longer than 20 and 50 ms (the sweep's goal: none delayed
/// by more than 50 ms).
fn print_slow(m: &Measured) {
    let over = |ms: u64| {
        m.latencies
            .iter()
            .filter(|latency| **latency > Duration::from_millis(ms))
            .count()
    };
    println!(
        "  of {} requests, {} took over 20 ms and {} over 50 ms",
        m.latencies.len(),
        over(20),
        over(50)
    );
}

/// Fills `Pages` from Flashboard's own answers.
async fn capture(conn: &mut Conn) -> control::Pages {
    conn.cookie = None;
    let reply = conn.get("/login").await;
    let login = reply.text().into_owned();
    let nonce = nonce_of(&login);
    let csp = reply.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
    let login = control::Template::new(&login, &[&nonce]);

    log_in(conn, 0).await;
    let dashboard = conn.get("/dashboard").await.text().into_owned();
    let nonce = nonce_of(&dashboard);
    let time = between(&dashboard, "data-testid=\"logged-in-at\">", "</dd>").to_owned();
    let dashboard = cut(
        &dashboard,
        "class=\"devices\">",
        "</ul>",
        "\u{1}DEVICES\u{1}",
    );
    let dashboard = cut(
        &dashboard,
        "class=\"flash-region\">",
        "</section>",
        "\u{1}FLASHES\u{1}",
    );
    let dashboard = control::Template::new(
        &dashboard,
        &[
            &nonce,
            &user(0),
            &time,
            "\u{1}DEVICES\u{1}",
            "\u{1}FLASHES\u{1}",
        ],
    );

    let reply = conn.post_form("/api/flash_demo", "").await;
    assert_eq!(reply.status, 303);
    let home = conn.get("/").await.text().into_owned();
    let nonce = nonce_of(&home);
    let home = cut(
        &home,
        "class=\"flash-region\">",
        "</section>",
        "\u{1}FLASHES\u{1}",
    );
    let home = control::Template::new(&home, &[&nonce, &user(0), "\u{1}FLASHES\u{1}"]);
    control::Pages {
        login,
        dashboard,
        home,
    }
}

fn nonce_of(html: &str) -> String {
    between(html, "nonce=\"", "\"").to_owned()
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).expect("start mark") + start.len();
    let to = from + html[from..].find(end).expect("end mark");
    &html[from..to]
}

/// `html` with what lies between `start` and `end` replaced by `mark`.
fn cut(html: &str, start: &str, end: &str, mark: &str) -> String {
    let from = html.find(start).expect("start mark") + start.len();
    let to = from + html[from..].find(end).expect("end mark");
    format!("{}{mark}{}", &html[..from], &html[to..])
}

/// Runs one scenario against both apps and prints both rows. `setup` and `op` are told whether
/// they talk to the control.
///
/// The apps take turns, `settings.rounds` times, the control first in odd rounds and Flashboard
/// first in even ones, so that the machine's drift (other load, thermal limits) falls on both
/// alike. A row pools every round of its app; the ratio is of the pooled rates, and the last
/// column gives the lowest and highest ratio of a single round, the spread within this run.
fn compare<S, O>(settings: &Settings, apps: &Apps, name: &str, setup: S, op: O)
where
    S: AsyncFn(bool, usize, &mut Conn) + Clone + Send + 'static,
    O: AsyncFn(bool, usize, &mut Conn) + Clone + Send + 'static,
{
    if !settings.wants(name) {
        return;
    }
    let run = |is_control: bool, addr: SocketAddr| {
        let (setup, op) = (setup.clone(), op.clone());
        load::run(
            addr,
            settings.connections,
            settings.warmup,
            settings.seconds,
            async move |index, conn| setup(is_control, index, conn).await,
            async move |index, conn| op(is_control, index, conn).await,
        )
    };
    let Some(control_addr) = apps.control else {
        let runs = (0..settings.rounds)
            .map(|_| run(false, apps.flashboard))
            .collect();
        print_memory_if_asked();
        print_row(name, "flashbrd", &Measured::pooled(runs), None);
        return;
    };
    let (mut controls, mut flashboards) = (Vec::new(), Vec::new());
    for round in 0..settings.rounds {
        if round % 2 == 0 {
            controls.push(run(true, control_addr));
            flashboards.push(run(false, apps.flashboard));
        } else {
            flashboards.push(run(false, apps.flashboard));
            controls.push(run(true, control_addr));
        }
    }
    print_memory_if_asked();
    let ratios: Vec<f64> = controls
        .iter()
        .zip(&flashboards)
        .map(|(control, flashboard)| flashboard.rate() / control.rate())
        .collect();
    let lowest = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = ratios.iter().copied().fold(0.0, f64::max);
    let (control, flashboard) = (Measured::pooled(controls), Measured::pooled(flashboards));
    print_row(name, "control", &control, None);
    print_row(
        name,
        "flashbrd",
        &flashboard,
        Some((flashboard.rate() / control.rate(), lowest, highest)),
    );
}

async fn nothing(_: bool, _: usize, _: &mut Conn) {}

async fn logged_in(is_control: bool, index: usize, conn: &mut Conn) {
    if is_control {
        let form = format!("username={}&password=Password123", user(index));
        assert_eq!(conn.post_form("/api/login", &form).await.status, 303);
    } else {
        log_in(conn, index).await;
    }
}

fn scenarios(settings: &Settings, apps: &Apps) {
    compare(
        settings,
        apps,
        "GET /login, anonymous",
        nothing,
        async |_, _, conn| {
            let reply = conn.get("/login").await;
            assert_eq!(reply.status, 200);
            assert!(reply.text().contains("action=\"/api/login\""));
        },
    );
    compare(
        settings,
        apps,
        "GET /dashboard, logged in",
        logged_in,
        async |_, index, conn| {
            let reply = conn.get("/dashboard").await;
            assert_eq!(reply.status, 200);
            assert!(reply.text().contains(&format!("<strong>{}<", user(index))));
        },
    );
    compare(
        settings,
        apps,
        "GET /dashboard, as a browser asks (compressed)",
        logged_in,
        async |_, index, conn| {
            let reply = conn.get_as_browser("/dashboard").await;
            assert_eq!(reply.status, 200);
            let page = reply.decoded_text().expect("a compressed page");
            assert!(page.contains(&format!("<strong>{}<", user(index))));
        },
    );
    compare(
        settings,
        apps,
        "POST 6 flashes, GET / showing them",
        logged_in,
        async |is_control, _, conn| {
            let path = if is_control {
                "/flash"
            } else {
                "/api/flash_demo"
            };
            assert_eq!(conn.post_form(path, "").await.status, 303);
            let reply = conn.get("/").await;
            assert_eq!(reply.status, 200);
            assert!(reply.text().contains("data-category=\"stock_alert\""));
        },
    );
    compare(
        settings,
        apps,
        "POST preferences",
        logged_in,
        async |is_control, _, conn| {
            let path = if is_control {
                "/prefs"
            } else {
                "/api/save_preferences"
            };
            let reply = conn.post_form(path, "theme=dark&density=compact").await;
            assert_eq!(reply.status, 303);
        },
    );
    compare(
        settings,
        apps,
        "POST /api/login (one Argon2id hash)",
        nothing,
        async |_, index, conn| {
            let form = format!("username={}&password=Password123", user(index));
            let reply = conn.post_form("/api/login", &form).await;
            assert_eq!(reply.status, 303);
        },
    );
}
