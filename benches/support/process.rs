//! Flashboard's own binary serving from a process of its own (`BENCH_PROCESS=1`), so that the
//! resident memory and CPU time the benchmark reports are the server's alone: no client, no
//! control, no benchmark code mapped in. Run as a deployment would run it (`flashboard serve`,
//! settings from `FLASHBOARD_*`), on a new SQLite file that the server creates and migrates.

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use crate::load::SERVER_PID;

pub struct ServerProcess {
    child: Child,
    pub address: SocketAddr,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts the release binary with the benchmark's settings (dev mode, as the in-process
    /// app; no per-address log-in limit) and waits until it accepts connections.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(site.join("pkg/flashboard.css"), "body{}").unwrap();
        let address = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port");
        let child = Command::new(env!("CARGO_BIN_EXE_flashboard"))
            .arg("serve")
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("FLASHBOARD_MODE", "dev")
            .env("FLASHBOARD_SERVER__ADDRESS", address.to_string())
            .env(
                "FLASHBOARD_DATABASE__URL",
                format!("sqlite://{}", dir.path().join("flashboard.db").display()),
            )
            .env(
                "FLASHBOARD_AUTH__ATTEMPTS_PER_IP_PER_MINUTE",
                u32::MAX.to_string(),
            )
            .env("LEPTOS_OUTPUT_NAME", "flashboard")
            .env("LEPTOS_SITE_ROOT", &site)
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            // Warnings and errors only: the per-request lines would cost the same CPU as in
            // production, but the benchmark compares renders, not log writers.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the flashboard binary starts");
        let mut server = Self {
            child,
            address,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(address).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the flashboard binary stopped at start-up: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the flashboard binary did not listen in 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        SERVER_PID.store(server.child.id(), Ordering::Relaxed);
        server
    }
}

impl Drop for ServerProcess {
    /// SIGTERM (a graceful stop), then waits for the process.
    fn drop(&mut self) {
        SERVER_PID.store(0, Ordering::Relaxed);
        // SAFETY: kill only sends a signal to the child this struct owns.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}
