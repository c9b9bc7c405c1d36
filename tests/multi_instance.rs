//! Two Flashboard instances on one PostgreSQL database behind Debian's nginx (round robin,
//! `X-Forwarded-For`, both instances trusting it in `server.trusted_proxies`), driven over
//! real HTTP through nginx as browsers would: sessions, flashes, log-outs, signed-out devices
//! and both kinds of log-in limits hold across the instances. Needs
//! `FLASHBOARD_TEST_POSTGRES_URL` and `nginx` (`scripts/test` has both and runs these with
//! `--include-ignored`).
#![cfg(feature = "ssr")]

mod common;

use std::{
    net::IpAddr,
    path::{Path, PathBuf},
    process::{Child, Command},
    time::Duration,
};

use common::{TestApp, backend::TestDatabase, banner, spawn_app_with_secrets};
use flashboard::{
    clock::Clock,
    server::secret::{SecretKey, Secrets},
};

const SECRET: &str = "c3a97e1f05b84d62a9f0e7c35b1d28f46e0a9c7d3b5f1e82a4c6d0b9e7f3a152";

/// nginx in front of two upstreams, in a directory of its own; stopped when dropped.
struct Nginx {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .expect("nginx is installed (scripts/setup installs it)")
}

impl Nginx {
    async fn start(upstreams: &[&TestApp]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        // nginx's workers drop root's rights: they must reach their files.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let servers: String = upstreams
            .iter()
            .map(|app| {
                let address = app.base_url.trim_start_matches("http://");
                format!("    server {address} max_fails=0;\n")
            })
            .collect();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {pid};\nerror_log {log} warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n\
               proxy_temp_path {tmp}/proxy;\n  fastcgi_temp_path {tmp}/fastcgi;\n\
               uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n\
               upstream flashboard {{\n{servers}  }}\n\
               server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
                 proxy_pass http://flashboard;\n      proxy_buffering off;\n\
                 proxy_set_header Host $http_host;\n\
                 proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                 proxy_set_header X-Forwarded-Proto $scheme;\n\
                 add_header X-Upstream $upstream_addr always;\n    }}\n  }}\n}}\n",
            pid = path("nginx.pid"),
            log = path("error.log"),
            tmp = dir.path().display(),
        );
        std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(path("error.log"))
            .arg("-c")
            .arg(path("nginx.conf"))
            .spawn()
            .expect("nginx starts");
        let mut nginx = Self {
            port,
            child,
            _dir: dir,
        };
        nginx.wait_until_listening().await;
        nginx
    }

    async fn wait_until_listening(&mut self) {
        let log =
            || std::fs::read_to_string(self._dir.path().join("error.log")).unwrap_or_default();
        for _ in 0..500 {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx exited ({status}): {}", log());
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("nginx did not start listening: {}", log());
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser at the address `from` (another loopback address than nginx's, so the address
/// nginx forwards is not the proxy's own): a cookie jar, no redirects followed.
fn browser(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .local_address(from.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Which instance served `res` (nginx's `X-Upstream`).
fn upstream(res: &reqwest::Response) -> String {
    res.headers()["x-upstream"].to_str().unwrap().to_owned()
}

/// Two instances started at the same moment on one new database, trusting nginx (on
/// 127.0.0.1), on one clock the test moves, and nginx in front of them.
async fn cluster(adjust: impl Fn(&mut flashboard::server::config::Config) + Clone) -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let clock = Clock::manual();
    let instance = || {
        let (url, clock, adjust) = (database.url.clone(), clock.clone(), adjust.clone());
        spawn_app_with_secrets(Secrets::new(SecretKey::new(SECRET)), move |config| {
            config.database.url = url;
            config.clock = clock;
            config.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
            adjust(config);
        })
    };
    let (a, b) = tokio::join!(instance(), instance());
    let nginx = Nginx::start(&[&a, &b]).await;
    Cluster {
        a,
        b,
        nginx,
        clock,
        _database: database,
        _dir: dir,
    }
}

struct Cluster {
    a: TestApp,
    b: TestApp,
    nginx: Nginx,
    clock: Clock,
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

impl Cluster {
    async fn get(&self, browser: &reqwest::Client, path: &str) -> reqwest::Response {
        browser.get(self.nginx.url(path)).send().await.unwrap()
    }

    async fn post(
        &self,
        browser: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        browser
            .post(self.nginx.url(path))
            .header("accept", "text/html")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A log-in post from `browser`, answered.
    async fn log_in_answer(
        &self,
        browser: &reqwest::Client,
        name: &str,
        password: &str,
    ) -> reqwest::Response {
        let form = [("username", name), ("password", password)];
        self.post(browser, "/api/login", &form).await
    }

    /// The status of a log-in post from `browser`.
    async fn log_in(&self, browser: &reqwest::Client, name: &str, password: &str) -> u16 {
        let answer = self.log_in_answer(browser, name, password).await;
        answer.status().as_u16()
    }

    /// Both instances' addresses.
    fn upstreams(&self) -> [String; 2] {
        [&self.a, &self.b].map(|app| app.base_url.trim_start_matches("http://").to_owned())
    }
}

fn migrations_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL and nginx (scripts/test has both)"]
async fn through_nginx_two_instances_share_sessions_flashes_log_outs_and_devices() {
    let cluster = cluster(|_| {}).await;
    // Started together on an empty database: migrated once, without error.
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&cluster.a.pool)
        .await
        .unwrap();
    let files = std::fs::read_dir(migrations_dir()).unwrap().count();
    assert_eq!(applied as usize, files);

    let laptop = browser("127.0.0.2");
    let form = [
        ("username", "alice"),
        ("email", "alice@example.com"),
        ("password", "Password123"),
    ];
    let res = cluster.post(&laptop, "/api/register", &form).await;
    assert_eq!(res.headers()["location"], "/login");
    assert_eq!(cluster.log_in(&laptop, "alice", "Password123").await, 303);

    // Every page after it, served alternately by both, is logged in; the welcome (pushed by
    // the instance that logged in) is shown once, by whichever serves the next page.
    let mut served = std::collections::BTreeSet::new();
    let mut welcomes = 0;
    for _ in 0..6 {
        let res = cluster.get(&laptop, "/dashboard").await;
        assert_eq!(res.status(), 200);
        served.insert(upstream(&res));
        let html = res.text().await.unwrap();
        assert!(html.contains("Hello, alice!"), "{html}");
        welcomes += banner(&html)
            .iter()
            .filter(|(_, text)| text == "Welcome back, alice!")
            .count();
    }
    assert_eq!(welcomes, 1);
    assert_eq!(served, cluster.upstreams().into_iter().collect());

    // A flash pushed by one instance is shown once, by the other.
    let res = cluster.post(&laptop, "/api/flash_demo", &[]).await;
    assert_eq!(res.status(), 303);
    let pushed_by = upstream(&res);
    let res = cluster.get(&laptop, "/flash-demo").await;
    assert_ne!(upstream(&res), pushed_by, "round robin");
    assert!(!banner(&res.text().await.unwrap()).is_empty());
    let res = cluster.get(&laptop, "/flash-demo").await;
    assert!(banner(&res.text().await.unwrap()).is_empty(), "shown once");

    // A second device signs in; the laptop signs out the others on one instance, and the
    // phone is refused by both.
    let phone = browser("127.0.0.3");
    assert_eq!(cluster.log_in(&phone, "alice", "Password123").await, 303);
    assert_eq!(cluster.get(&phone, "/dashboard").await.status(), 200);
    let res = cluster
        .post(&laptop, "/api/sign_out_other_devices", &[])
        .await;
    assert_eq!(res.status(), 303);
    for _ in 0..2 {
        let res = cluster.get(&phone, "/dashboard").await;
        assert_eq!(res.status(), 303, "signed out, on {}", upstream(&res));
    }

    // The laptop logs out on one instance; both refuse its session at once.
    let res = cluster.post(&laptop, "/api/logout", &[]).await;
    assert_eq!(res.status(), 303);
    for _ in 0..2 {
        let res = cluster.get(&laptop, "/dashboard").await;
        assert_eq!(res.status(), 303, "logged out, on {}", upstream(&res));
    }

    // The auth log has the browsers' own addresses, from nginx's X-Forwarded-For.
    let ips: Vec<String> = sqlx::query_scalar("SELECT DISTINCT ip FROM auth_events ORDER BY ip")
        .fetch_all(&cluster.a.pool)
        .await
        .unwrap();
    assert_eq!(ips, ["127.0.0.2", "127.0.0.3"]);
}

#[tokio::test]
#[ignore = "needs FLASHBOARD_TEST_POSTGRES_URL and nginx (scripts/test has both)"]
async fn through_nginx_the_log_in_limits_count_attempts_on_both_instances() {
    let cluster = cluster(|config| {
        config.auth.attempts_per_ip_per_minute = std::num::NonZeroU32::new(8).unwrap();
    })
    .await;
    let owner = browser("127.0.0.2");
    let form = [
        ("username", "bob"),
        ("email", "bob@example.com"),
        ("password", "Password123"),
    ];
    cluster.post(&owner, "/api/register", &form).await;
    // The owner's browser logs in once: it gets a device cookie for the account.
    assert_eq!(cluster.log_in(&owner, "bob", "Password123").await, 303);

    // Per account: 5 free failures from another address, alternately on both instances; the
    // 6th must wait a second after the 5th, whichever instance it reaches.
    let stranger = browser("127.0.0.3");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(cluster.log_in(&stranger, "bob", "wrong-password").await);
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429]);
    cluster.clock.advance(Duration::from_secs(1));
    assert_eq!(
        cluster.log_in(&stranger, "bob", "wrong-password").await,
        303
    );

    // Per address (the forwarded one): 8 a minute over both instances. The stranger has used
    // 7; the 8th passes the address limit (a failed log-in), the 9th does not.
    let res = cluster.log_in_answer(&stranger, "someone-else", "x").await;
    assert_eq!(res.status(), 303, "the 8th attempt of the address");
    let res = cluster.log_in_answer(&stranger, "someone-else", "x").await;
    assert_eq!(res.status(), 429, "the 9th, on {}", upstream(&res));
    // Another address is not held back by it, nor the owner's browser by the stranger's
    // failures (it counts its own, by its device cookie).
    let res = cluster.log_in_answer(&owner, "bob", "Password123").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");
}
