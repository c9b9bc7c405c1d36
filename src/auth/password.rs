//! Password hashing: Argon2id with OWASP's minimum parameters, on threads of its own, with a
//! bound on how many hashes run at once.
//!
//! Each hash needs 19 MiB. The hashes run on a fixed set of threads (one per CPU), not on
//! tokio's blocking pool: that pool grows to 512 threads, and every thread that once hashed
//! keeps its allocator's memory, so a log-in flood would leave the server at about 500 MB resident.
//! Each thread hashes in working memory of its own (`auth::argon2_memory`), kept from one hash
//! to the next while hashes keep coming (fresh pages cost the kernel's zeroing, about 6% of
//! the CPU of a log-in flood), and given back to the operating system once the thread has had
//! nothing to hash for [`KEEP_MEMORY_FOR`]; so the memory is bounded by the threads while busy
//! and none is held at rest.
//! A job holds its admission permit until its hash is done, so a client that hangs up (and so
//! drops the request waiting for it) frees no place for another hash before this one ends.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use argon2::{
    Algorithm, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

use super::argon2_memory::{Memory, WithMemory};

/// How long a hashing thread keeps its working memory after its last hash: across the gaps of
/// a burst of log-ins, not for the quiet hours. Short, because jobs go to the thread that has
/// waited longest (the channel is fair): at a steady rate of one hash per thread per this
/// period or more, every thread keeps its memory.
pub const KEEP_MEMORY_FOR: Duration = Duration::from_secs(1);

/// m = 19 MiB, t = 2, p = 1: the OWASP Password Storage Cheat Sheet minimum for Argon2id (and
/// `argon2`'s defaults).
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// Stored hashes asking for more than this are refused rather than verified: the parameters
/// come from the stored string, and a corrupt or planted one must not demand unbounded work.
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_ITERATIONS: u32 = 16;
const MAX_PARALLELISM: u32 = 8;

/// Hashes and verifies passwords. Cheap to clone; share one per app.
#[derive(Clone)]
pub struct Passwords {
    /// One permit per hashing thread: a job takes one before it is queued and gives it back
    /// when its hash is done, so the queue never holds more jobs than there are threads.
    permits: Arc<Semaphore>,
    /// The hashing threads' queue.
    jobs: flume::Sender<Job>,
    /// Hashes admitted (queued or running) now, the most ever admitted at once, and how many
    /// finished in all.
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    /// Bytes of working memory the hashing threads hold now.
    memory_held: Arc<AtomicUsize>,
    /// The hashing threads.
    threads: usize,
    /// A real hash of a random password, verified when the user does not exist, so that an
    /// unknown name takes as long as a wrong password (no user enumeration by timing).
    dummy: Arc<str>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Wrong password, unknown user or unusable stored hash: all look the same to the caller.
    Rejected,
    /// Correct, and the stored hash meets the current policy.
    Accepted,
    /// Correct, but hashed with weaker parameters: re-hash and store the new hash.
    AcceptedNeedsRehash,
}

/// Hashing failed (a bug or resource exhaustion, never the user's fault).
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("argon2: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the hashing threads are gone")]
    Stopped,
    /// A job found the queue full: a permit was given back before its job ended (a bug).
    #[error("the hashing queue is full")]
    QueueFull,
    #[error("a hash panicked")]
    Panicked,
}

/// A hash to run, in the working memory of the thread that runs it.
type Job = Box<dyn FnOnce(&Memory) + Send>;

/// Starts `threads` hashing threads that run the jobs of the returned queue until it is
/// dropped. Each gives its working memory back after `keep_memory` without a job, and counts
/// the bytes it holds in `held`.
fn start_threads(
    threads: usize,
    keep_memory: Duration,
    held: Arc<AtomicUsize>,
) -> Result<flume::Sender<Job>, std::io::Error> {
    let (jobs, queue) = flume::bounded::<Job>(threads);
    for n in 0..threads {
        let (queue, held) = (queue.clone(), held.clone());
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                let memory = Memory::new(MEMORY_KIB, held);
                loop {
                    // Each thread waits on the queue by itself (a channel with many
                    // receivers), so each can time out and give its memory back.
                    let next = if memory.held() == 0 {
                        queue
                            .recv()
                            .map_err(|_| flume::RecvTimeoutError::Disconnected)
                    } else {
                        queue.recv_timeout(keep_memory)
                    };
                    match next {
                        Ok(job) => job(&memory),
                        Err(flume::RecvTimeoutError::Timeout) => memory.release(),
                        Err(flume::RecvTimeoutError::Disconnected) => return,
                    }
                }
            })?;
    }
    Ok(jobs)
}

/// A hash's algorithm, version and parameters, e.g. `argon2id v19 m=19456,t=2,p=1`.
pub fn parameters_of(hash: &PasswordHash<'_>) -> String {
    format!(
        "{} v{} {}",
        hash.algorithm,
        hash.version.unwrap_or_default(),
        hash.params
    )
}

/// Hashes `password` with the current parameters (Argon2id v19, [`MEMORY_KIB`],
/// [`ITERATIONS`], [`PARALLELISM`]) and a new salt, in `memory`.
fn hash_blocking(password: &[u8], memory: &Memory) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid Argon2 parameters");
    WithMemory(memory)
        .hash_password_customized(
            password,
            Some(Algorithm::Argon2id.ident()),
            Some(Version::V0x13.into()),
            params,
            &salt,
        )
        .map(|hash| hash.to_string())
        .map_err(PasswordError::Hash)
}

/// Checks `password` against the hash `stored`, with the parameters in it, in `memory`.
fn verify_blocking(password: &[u8], stored: &str, memory: &Memory) -> Verdict {
    let Ok(hash) = PasswordHash::new(stored) else {
        tracing::error!("stored password hash is not a PHC string");
        return Verdict::Rejected;
    };
    let Ok(params) = Params::try_from(&hash) else {
        tracing::error!("stored password hash has unusable parameters");
        return Verdict::Rejected;
    };
    if params.m_cost() > MAX_MEMORY_KIB
        || params.t_cost() > MAX_ITERATIONS
        || params.p_cost() > MAX_PARALLELISM
    {
        tracing::error!("stored password hash asks for too much work; refused");
        return Verdict::Rejected;
    }
    // Verification uses the algorithm, version and parameters in the stored string.
    if WithMemory(memory).verify_password(password, &hash).is_err() {
        return Verdict::Rejected;
    }
    let current = hash.algorithm == Algorithm::Argon2id.ident()
        && params.m_cost() >= MEMORY_KIB
        && params.t_cost() >= ITERATIONS
        && params.p_cost() >= PARALLELISM;
    if current {
        Verdict::Accepted
    } else {
        Verdict::AcceptedNeedsRehash
    }
}

impl Passwords {
    /// A hasher with `threads` hashing threads, so at most that many hashes at once. Computes
    /// the dummy hash, so call it once at start-up.
    pub fn new(threads: usize) -> Result<Self, PasswordError> {
        Self::keeping_memory_for(threads, KEEP_MEMORY_FOR)
    }

    /// [`Passwords::new`] with threads that keep their working memory for `keep_memory` after
    /// their last hash.
    pub fn keeping_memory_for(
        threads: usize,
        keep_memory: Duration,
    ) -> Result<Self, PasswordError> {
        let threads = threads.max(1);
        // Bounded: a deadline past the clock's range would panic the hashing threads.
        let keep_memory = keep_memory.min(Duration::from_secs(86_400));
        let mut random = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut random);
        let memory_held = Arc::<AtomicUsize>::default();
        // Hashed here, in memory given back right after: the threads keep theirs for hashes.
        let scratch = Memory::new(MEMORY_KIB, Arc::default());
        let dummy = hash_blocking(&random, &scratch)?.into();
        scratch.release();
        Ok(Self {
            permits: Arc::new(Semaphore::new(threads)),
            jobs: start_threads(threads, keep_memory, memory_held.clone())
                .map_err(|_| PasswordError::Stopped)?,
            running: Arc::default(),
            most: Arc::default(),
            finished: Arc::default(),
            memory_held,
            threads,
            dummy,
        })
    }

    /// How many hashing threads there are (hashes at once).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// How many hashes are admitted now: queued for a thread or running.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// The most hashes ever admitted at once (queued or running): never more than the threads.
    pub fn most_at_once(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }

    /// How many hashes (and verifications) have finished since start-up.
    pub fn hashes_done(&self) -> usize {
        self.finished.load(Ordering::SeqCst)
    }

    /// Bytes of working memory the hashing threads hold now: 19 MiB for each thread that has
    /// hashed in the last [`KEEP_MEMORY_FOR`], else none.
    pub fn memory_held(&self) -> usize {
        self.memory_held.load(Ordering::SeqCst)
    }

    /// The parameters of the hash an unknown user name is checked against (`m=..,t=..,p=..`),
    /// for tests that check it costs what a real user's hash costs.
    pub fn dummy_parameters(&self) -> Option<String> {
        PasswordHash::new(&self.dummy)
            .ok()
            .map(|hash| parameters_of(&hash))
    }

    /// Runs `work` on a hashing thread, once a thread is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Memory) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PasswordError::Stopped)?;
        let (done, outcome) = tokio::sync::oneshot::channel();
        // Counted from admission: a job queued or running holds its permit, so this never
        // exceeds the number of threads, whether or not its caller is still waiting.
        let admitted = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(admitted, Ordering::SeqCst);
        let (running, finished) = (self.running.clone(), self.finished.clone());
        let job: Job = Box::new(move |memory| {
            let result = catch_unwind(AssertUnwindSafe(|| work(memory)));
            finished.fetch_add(1, Ordering::SeqCst);
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            // The request may be gone (its client hung up); the hash ran to its end anyway.
            let _ = done.send(result);
        });
        // Never full: every queued job holds one of as many permits as the queue has places.
        if let Err(err) = self.jobs.try_send(job) {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return Err(match err {
                flume::TrySendError::Full(_) => PasswordError::QueueFull,
                flume::TrySendError::Disconnected(_) => PasswordError::Stopped,
            });
        }
        match outcome.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(PasswordError::Panicked),
            Err(_) => Err(PasswordError::Stopped),
        }
    }

    /// Hashes `password` with the current parameters.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        self.run(move |memory| hash_blocking(password.as_bytes(), memory))
            .await?
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no user, so
    /// that both cases cost one hash.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verdict, PasswordError> {
        let user_exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy.to_string());
        let verdict = self
            .run(move |memory| verify_blocking(password.as_bytes(), &stored, memory))
            .await?;
        Ok(if user_exists {
            verdict
        } else {
            Verdict::Rejected
        })
    }
}

#[cfg(test)]
mod tests {
    use argon2::Argon2;

    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_owasp_parameters() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("Correct horse".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            passwords
                .verify("Correct horse".into(), Some(hash.clone()))
                .await
                .unwrap(),
            Verdict::Accepted
        );
        assert_eq!(
            passwords
                .verify("correct horse".into(), Some(hash))
                .await
                .unwrap(),
            Verdict::Rejected
        );
    }

    #[tokio::test]
    async fn unknown_user_is_rejected_even_with_the_dummy_password() {
        let passwords = Passwords::new(1).unwrap();
        assert_eq!(
            passwords.verify("anything".into(), None).await.unwrap(),
            Verdict::Rejected
        );
    }

    #[tokio::test]
    async fn weaker_hashes_verify_and_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"secret pass", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default())
            .hash_password(b"secret pass", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        let passwords = Passwords::new(1).unwrap();
        for stored in [weak, argon2i] {
            assert_eq!(
                passwords
                    .verify("secret pass".into(), Some(stored))
                    .await
                    .unwrap(),
                Verdict::AcceptedNeedsRehash
            );
        }
    }

    #[tokio::test]
    async fn absurd_or_broken_stored_hashes_are_refused() {
        let passwords = Passwords::new(1).unwrap();
        let absurd = "$argon2id$v=19$m=4000000,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert_eq!(
            passwords
                .verify("x".into(), Some(absurd.into()))
                .await
                .unwrap(),
            Verdict::Rejected
        );
        assert_eq!(
            passwords
                .verify("x".into(), Some("not a hash".into()))
                .await
                .unwrap(),
            Verdict::Rejected
        );
    }

    #[tokio::test]
    async fn hashes_abandoned_by_their_callers_still_count_against_the_bound() {
        let passwords = Passwords::new(2).unwrap();
        let stored = passwords.hash("Correct horse".into()).await.unwrap();
        // Twelve callers; every other one gives up as soon as its job is queued or waiting,
        // as a request does when its client hangs up.
        let mut kept = Vec::new();
        for n in 0..12 {
            let (passwords, stored) = (passwords.clone(), stored.clone());
            let verify = async move { passwords.verify("wrong horse".into(), Some(stored)).await };
            if n % 2 == 0 {
                kept.push(tokio::spawn(verify));
            } else {
                let mut verify = Box::pin(verify);
                let _ = futures::poll!(verify.as_mut());
            }
        }
        for caller in kept {
            assert_eq!(caller.await.unwrap().unwrap(), Verdict::Rejected);
        }
        while passwords.running() > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(passwords.most_at_once(), 2);
    }

    #[tokio::test]
    async fn hashing_threads_keep_their_memory_while_hashes_come_and_give_it_back_when_idle() {
        const KEPT: usize = MEMORY_KIB as usize * 1024;
        let busy = Passwords::keeping_memory_for(2, Duration::from_secs(3600)).unwrap();
        assert_eq!(busy.memory_held(), 0, "nothing held before the first hash");
        let stored = busy.hash("Correct horse".into()).await.unwrap();
        assert_eq!(busy.memory_held(), KEPT, "one thread has hashed");
        for _ in 0..3 {
            busy.verify("Correct horse".into(), Some(stored.clone()))
                .await
                .unwrap();
        }
        let held = busy.memory_held();
        assert!(held == KEPT || held == 2 * KEPT, "{held}");

        let idle = Passwords::keeping_memory_for(2, Duration::ZERO).unwrap();
        let verdict = idle.verify("Correct horse".into(), Some(stored)).await;
        assert_eq!(verdict.unwrap(), Verdict::Accepted);
        // The thread gives it back as soon as it finds the queue empty, after the answer.
        let mut waited = 0;
        while idle.memory_held() > 0 && waited < 10_000 {
            tokio::time::sleep(Duration::from_millis(1)).await;
            waited += 1;
        }
        assert_eq!(idle.memory_held(), 0);
    }
}
