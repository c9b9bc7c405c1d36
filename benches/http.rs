//! Request latency and throughput of the real server over HTTP, printed as numbers.
//!
//! Run with `cargo bench --features ssr --bench http` (an optimised build; a few minutes the
//! first time). Each scenario runs a fixed number of operations (a request, or the short
//! sequence the scenario names) from several concurrent clients against a server on a random
//! port with a fresh SQLite file, and prints operations per second and the 50th/99th percentile
//! latency. Numbers depend on the machine; compare runs on one.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

/// Concurrent clients per scenario.
const CLIENTS: usize = 8;

struct Report {
    name: &'static str,
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Report {
    fn print(mut self) {
        self.latencies.sort();
        let at = |q: f64| self.latencies[((self.latencies.len() as f64 - 1.0) * q) as usize];
        let rate = self.latencies.len() as f64 / self.wall.as_secs_f64();
        println!(
            "{:<44} {:>6} ops  {:>8.0} ops/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            self.name,
            self.latencies.len(),
            rate,
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
        );
    }
}

/// Runs `per_client` rounds of `round` on each of [`CLIENTS`] clients at once; `round` gets the
/// client's index and does one timed request (or one short sequence, timed as one).
async fn measure<F, Fut>(name: &'static str, per_client: usize, round: F) -> Report
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let round = round.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                for _ in 0..per_client {
                    let t = Instant::now();
                    round(client).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client task"));
    }
    Report {
        name,
        latencies,
        wall: start.elapsed(),
    }
}

#[tokio::main]
async fn main() {
    let app = std::sync::Arc::new(
        common::spawn_app_with(|config| config.auth.attempts_per_ip_per_minute = 1_000_000).await,
    );
    println!("Flashboard HTTP benchmark: {CLIENTS} concurrent clients, release build\n");

    // Anonymous page render: no session at all.
    let a = app.clone();
    measure("GET / (anonymous, no session)", 250, move |_| {
        let a = a.clone();
        async move {
            assert_eq!(a.get("/").await.status(), 200);
        }
    })
    .await
    .print();

    // Logged-in clients: one account each (registration and log-in are not timed here).
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let client = common::client();
        let name = format!("bench{i}");
        let base = &app.base_url;
        client
            .post(format!("{base}/api/register"))
            .header("accept", "text/html")
            .form(&[
                ("username", name.as_str()),
                ("email", &format!("{name}@example.com")),
                ("password", "Password123"),
            ])
            .send()
            .await
            .unwrap();
        let res = client
            .post(format!("{base}/api/login"))
            .header("accept", "text/html")
            .form(&[("username", name.as_str()), ("password", "Password123")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        clients.push(client);
    }
    let clients = std::sync::Arc::new(clients);

    let (a, c) = (app.clone(), clients.clone());
    measure("GET /dashboard (session, user, devices)", 150, move |i| {
        let (a, c) = (a.clone(), c.clone());
        async move {
            let res = c[i].get(a.url("/dashboard")).send().await.unwrap();
            assert_eq!(res.status(), 200);
        }
    })
    .await
    .print();

    let (a, c) = (app.clone(), clients.clone());
    measure("POST flash x6, then GET / showing them", 100, move |i| {
        let (a, c) = (a.clone(), c.clone());
        async move {
            let res = c[i]
                .post(a.url("/api/flash_demo"))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303);
            let html = c[i]
                .get(a.url("/"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(html.contains(r#"data-category="stock_alert""#));
        }
    })
    .await
    .print();

    let (a, c) = (app.clone(), clients.clone());
    measure("POST /api/save_preferences", 150, move |i| {
        let (a, c) = (a.clone(), c.clone());
        async move {
            let res = c[i]
                .post(a.url("/api/save_preferences"))
                .header("accept", "text/html")
                .form(&[("theme", "dark"), ("density", "compact")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303);
        }
    })
    .await
    .print();

    // Log-in: one Argon2id hash each (m=19456, t=2), bounded by a semaphore of CPU-count permits.
    // (Successful ones: repeated failures would be throttled.)
    let a = app.clone();
    measure("POST /api/login (one Argon2id hash)", 10, move |i| {
        let a = a.clone();
        async move {
            let res = a
                .new_client()
                .post(a.url("/api/login"))
                .header("accept", "text/html")
                .form(&[
                    ("username", format!("bench{i}")),
                    ("password", "Password123".into()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303);
        }
    })
    .await
    .print();
}
