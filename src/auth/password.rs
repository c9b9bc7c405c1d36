//! Password hashing: Argon2id with OWASP's minimum parameters, off the async runtime, with a
//! bound on how many hashes run at once.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

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
    /// Each running hash holds a permit: at most `permits` x 19 MiB of hashing memory. Tokio's
    /// blocking pool alone would allow 512 threads (about 9.5 GiB).
    permits: Arc<Semaphore>,
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
    #[error("hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &[u8]) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(PasswordError::Hash)
}

fn verify_blocking(password: &[u8], stored: &str) -> Verdict {
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
    // Verification uses the parameters in the stored string, whatever `argon2()` says.
    if Argon2::default().verify_password(password, &hash).is_err() {
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
    /// A hasher running at most `max_concurrent` hashes at once. Computes the dummy hash, so
    /// call it once at start-up.
    pub fn new(max_concurrent: usize) -> Result<Self, PasswordError> {
        let mut random = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut random);
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy: hash_blocking(&random)?.into(),
        })
    }

    /// Hashes `password` with the current parameters.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closed");
        tokio::task::spawn_blocking(move || hash_blocking(password.as_bytes())).await?
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no user, so
    /// that both cases cost one hash.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verdict, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closed");
        let user_exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy.to_string());
        let verdict =
            tokio::task::spawn_blocking(move || verify_blocking(password.as_bytes(), &stored))
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
}
