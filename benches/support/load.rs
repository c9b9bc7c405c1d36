//! A lean HTTP/1.1 load generator: many keep-alive connections on one client thread.
//!
//! The client must cost less CPU than the server per request, or the benchmark measures the
//! client. reqwest (cookie jar, redirect policy, a pool per client) costs about as much as a small
//! page render; this drives bare hyper connections instead, and measures the CPU time its own
//! thread used, so every report can say how much of the machine the client took.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, Instant},
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{
    Request, StatusCode,
    client::conn::http1::{self, SendRequest},
    header::{HeaderName, HeaderValue},
};
use hyper_util::rt::TokioIo;

/// One keep-alive connection, with the cookies it was given (one browser).
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
    /// The `Cookie` header: the cookies the server set (`None` forgets them all).
    pub cookie: Option<HeaderValue>,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as text (lossy), for checks.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body decoded as its `Content-Encoding` says (gzip or brotli), as text, for checks;
    /// `None` when it was sent as it is.
    pub fn decoded_text(&self) -> Option<String> {
        use std::io::Read;
        let mut text = String::new();
        match self
            .headers
            .get(hyper::header::CONTENT_ENCODING)?
            .as_bytes()
        {
            b"gzip" => flate2::read::GzDecoder::new(&self.body[..]).read_to_string(&mut text),
            b"br" => brotli::Decompressor::new(&self.body[..], 4096).read_to_string(&mut text),
            other => panic!("unexpected encoding {}", String::from_utf8_lossy(other)),
        }
        .expect("a body that decodes");
        Some(text)
    }
}

impl Conn {
    /// Opens a connection to `addr`.
    pub async fn open(addr: SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        Self {
            sender,
            host: HeaderValue::from_str(&addr.to_string()).unwrap(),
            cookie: None,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, &[], Bytes::new()).await
    }

    /// `GET path` with the `Accept` and `Accept-Encoding` a browser sends (Chromium's).
    pub async fn get_as_browser(&mut self, path: &str) -> Reply {
        let headers = [
            (
                hyper::header::ACCEPT,
                HeaderValue::from_static("text/html,application/xhtml+xml"),
            ),
            (
                hyper::header::ACCEPT_ENCODING,
                HeaderValue::from_static("gzip, deflate, br, zstd"),
            ),
        ];
        self.send("GET", path, &headers, Bytes::new()).await
    }

    /// `POST path` with a form body, as a browser without JavaScript sends it.
    pub async fn post_form(&mut self, path: &str, form: &str) -> Reply {
        let headers = [
            (
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            ),
            (
                hyper::header::ACCEPT,
                HeaderValue::from_static("text/html,application/xhtml+xml"),
            ),
        ];
        self.send(
            "POST",
            path,
            &headers,
            Bytes::copy_from_slice(form.as_bytes()),
        )
        .await
    }

    /// Keeps the cookies a reply sets (a browser's jar, reduced to name and value), dropping
    /// the ones it deletes.
    fn keep_cookies(&mut self, headers: &hyper::HeaderMap) {
        let mut jar: Vec<(String, String)> = self
            .cookie
            .as_ref()
            .and_then(|header| header.to_str().ok())
            .into_iter()
            .flat_map(|header| header.split("; "))
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        for set in headers.get_all(hyper::header::SET_COOKIE) {
            let Ok(text) = set.to_str() else { continue };
            let mut attributes = text.split(';');
            let Some((name, value)) = attributes
                .next()
                .and_then(|pair| pair.trim().split_once('='))
            else {
                continue;
            };
            let deleted = attributes.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            jar.retain(|(kept, _)| kept != name);
            if !deleted {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
        let header: Vec<String> = jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
        self.cookie = (!jar.is_empty()).then(|| HeaderValue::from_str(&header.join("; ")).unwrap());
    }

    /// Sends one request with the connection's cookies and keeps the cookies the reply sets.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, self.host.clone())
            .header(hyper::header::USER_AGENT, "flashboard-bench")
            .body(Full::new(body))
            .unwrap();
        request.headers_mut().extend(headers.iter().cloned());
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(hyper::header::COOKIE, cookie.clone());
        }
        self.sender.ready().await.expect("connection ready");
        let response = self.sender.send_request(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        if parts.headers.contains_key(hyper::header::SET_COOKIE) {
            self.keep_cookies(&parts.headers);
        }
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}

/// What one scenario measured.
pub struct Measured {
    pub ops: usize,
    pub wall: Duration,
    pub latencies: Vec<Duration>,
    /// CPU time of the client thread during the run.
    pub client_cpu: Duration,
    /// CPU time of the whole process during the run (server, database threads and client),
    /// plus the server's process if it runs in one of its own ([`SERVER_PID`]).
    pub process_cpu: Duration,
}

impl Measured {
    /// Several runs of one app as one: their operations, time and latencies together.
    pub fn pooled(runs: Vec<Measured>) -> Measured {
        runs.into_iter()
            .reduce(|mut all, run| {
                all.ops += run.ops;
                all.wall += run.wall;
                all.latencies.extend(run.latencies);
                all.client_cpu += run.client_cpu;
                all.process_cpu += run.process_cpu;
                all
            })
            .expect("at least one run")
    }

    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.wall.as_secs_f64()
    }

    pub fn percentile(&self, q: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
    }

    pub fn max(&self) -> Duration {
        self.latencies.iter().copied().max().unwrap_or_default()
    }

    /// Server CPU per operation (process CPU minus the client's), in microseconds.
    pub fn server_cpu_per_op_us(&self) -> f64 {
        (self.process_cpu.saturating_sub(self.client_cpu)).as_secs_f64() * 1e6 / self.ops as f64
    }

    /// Client CPU per operation, in microseconds.
    pub fn client_cpu_per_op_us(&self) -> f64 {
        self.client_cpu.as_secs_f64() * 1e6 / self.ops as f64
    }
}

/// Runs `f` with one fresh connection to `addr` on a client thread, and returns its result
/// (for the untimed preparation of a run).
pub fn once<F, T>(addr: SocketAddr, f: F) -> T
where
    F: AsyncFnOnce(&mut Conn) -> T + Send + 'static,
    T: Send + 'static,
{
    on_client_thread(move || async move {
        let mut conn = Conn::open(addr).await;
        f(&mut conn).await
    })
}

/// Opens `connections` connections to `addr`, prepares each with `setup` (untimed), then runs
/// `op` on every connection in a loop for `duration` (after `warmup`). `op` gets the connection's
/// index and the connection, and checks its own responses (panicking on a wrong one).
///
/// Runs on a current-thread runtime of its own, on a thread of its own, so that the client's CPU
/// time can be told apart from the server's.
pub fn run<S, O>(
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    setup: S,
    op: O,
) -> Measured
where
    S: AsyncFn(usize, &mut Conn) + Send + 'static,
    O: AsyncFn(usize, &mut Conn) + Send + 'static,
{
    on_client_thread(move || async move {
        let mut conns = Vec::with_capacity(connections);
        for index in 0..connections {
            let mut conn = Conn::open(addr).await;
            setup(index, &mut conn).await;
            conns.push(conn);
        }
        drive(conns, warmup, duration, op).await
    })
}

/// Runs the future that `make` returns on a new thread with a current-thread runtime.
fn on_client_thread<T, M, F>(make: M) -> T
where
    T: Send + 'static,
    M: FnOnce() -> F + Send + 'static,
    F: Future<Output = T>,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(make())
    })
    .join()
    .expect("client thread")
}

async fn drive<O>(conns: Vec<Conn>, warmup: Duration, duration: Duration, op: O) -> Measured
where
    O: AsyncFn(usize, &mut Conn),
{
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let cpu_before = std::cell::Cell::new(None::<(Duration, Duration)>);
    let op = &op;
    let cpu_before = &cpu_before;
    let runs = conns
        .into_iter()
        .enumerate()
        .map(|(index, mut conn)| async move {
            let mut latencies = Vec::new();
            loop {
                let t = Instant::now();
                if t >= end {
                    break;
                }
                if t >= measure_from && cpu_before.get().is_none() {
                    cpu_before.set(Some((thread_cpu(), process_cpu())));
                }
                op(index, &mut conn).await;
                if t >= measure_from {
                    latencies.push(t.elapsed());
                }
            }
            latencies
        });
    let latencies: Vec<Duration> = futures::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    let wall = start.elapsed().saturating_sub(warmup);
    let (client_before, process_before) = cpu_before.get().unwrap_or_default();
    Measured {
        ops: latencies.len(),
        wall,
        latencies,
        client_cpu: thread_cpu().saturating_sub(client_before),
        process_cpu: process_cpu().saturating_sub(process_before),
    }
}

fn rusage(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(who, &mut usage);
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// CPU time used by the calling thread.
pub fn thread_cpu() -> Duration {
    rusage(libc::RUSAGE_THREAD)
}

/// The server's process when it runs in one of its own (`BENCH_PROCESS`); 0 when it serves
/// from this one.
pub static SERVER_PID: AtomicU32 = AtomicU32::new(0);

/// CPU time used by the whole process, and by the server's process if it has its own.
pub fn process_cpu() -> Duration {
    rusage(libc::RUSAGE_SELF) + server_process_cpu()
}

/// CPU time of the process [`SERVER_PID`] (zero without one), from `/proc/<pid>/stat`.
fn server_process_cpu() -> Duration {
    let pid = SERVER_PID.load(Ordering::Relaxed);
    if pid == 0 {
        return Duration::ZERO;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name's closing parenthesis come fields 3 onwards of proc(5): utime
    // (field 14) and stime (15), in clock ticks.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks =
        |index: usize| -> u64 { fields.get(index).and_then(|f| f.parse().ok()).unwrap_or(0) };
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / per_second)
}
