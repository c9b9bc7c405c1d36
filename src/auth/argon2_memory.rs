//! Argon2 on working memory that a hashing thread keeps between hashes.
//!
//! `argon2`'s own hashing allocates its 19 MiB of blocks for every hash. Returned to the
//! operating system between hashes (as `auth::password`'s threads must, to keep the server's
//! memory bounded), they come back as fresh pages that the kernel zeroes on first touch, one
//! page fault at a time: about 6% of the server's CPU in a log-in flood (perf, 2026-12-08). So
//! each hashing thread keeps one [`Memory`] while it is busy, and gives it back only after it
//! has been idle for a while (`auth::password`).
//!
//! [`WithMemory`] is `argon2::Argon2`'s [`PasswordHasher`] with the blocks taken from a
//! [`Memory`] (`Argon2::hash_password_into_with_memory`, whose first pass overwrites every
//! block, so memory left by an earlier hash is fine); verification is `password_hash`'s own,
//! built on it (a constant-time comparison). Tests check both against `argon2`'s.
//!
//! The blocks are wiped after every hash, as Argon2's reference implementation does: a hash's
//! final memory would let whoever reads it (a core file, swap) check guesses at the password
//! without paying for the memory-hard passes.

use std::{
    cell::RefCell,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{
        self, Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher, Salt,
    },
};

/// A hashing thread's working memory: the blocks of one hash, allocated by the first hash that
/// fits in them and kept until [`Memory::release`].
pub struct Memory {
    blocks: RefCell<Vec<Block>>,
    /// How many blocks are kept (1 KiB each): what a hash with the current parameters needs.
    kept: usize,
    /// The bytes held, added to the total of every memory that shares the counter.
    counter: Arc<AtomicUsize>,
}

impl Memory {
    /// Memory that keeps `kept_kib` blocks (a hash's `m` parameter) and counts the bytes it
    /// holds in `counter` (shared by a set of threads).
    pub fn new(kept_kib: u32, counter: Arc<AtomicUsize>) -> Self {
        Self {
            blocks: RefCell::default(),
            kept: kept_kib as usize,
            counter,
        }
    }

    /// The bytes held now.
    pub fn held(&self) -> usize {
        self.blocks.borrow().len() * Block::SIZE
    }

    /// Frees the blocks and gives the thread's free memory back to the operating system.
    pub fn release(&self) {
        let held = self.held();
        *self.blocks.borrow_mut() = Vec::new();
        crate::allocator::release_thread_memory();
        self.counter.fetch_sub(held, Ordering::SeqCst);
    }

    /// Runs `f` on `count` blocks, and wipes them afterwards: the kept ones, or, for a hash
    /// that needs more (a stored hash with stronger parameters than the current ones), blocks
    /// of its own, freed and given back to the operating system afterwards.
    fn with_blocks<T>(&self, count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        if count > self.kept {
            let mut own = vec![Block::default(); count];
            let outcome = f(&mut own);
            wipe(&mut own);
            drop(own);
            crate::allocator::release_thread_memory();
            return outcome;
        }
        let mut kept = self.blocks.borrow_mut();
        if kept.is_empty() {
            *kept = vec![Block::default(); self.kept];
            self.counter
                .fetch_add(self.kept * Block::SIZE, Ordering::SeqCst);
        }
        let blocks = &mut kept[..count];
        let outcome = f(blocks);
        wipe(blocks);
        outcome
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        self.counter.fetch_sub(self.held(), Ordering::SeqCst);
    }
}

/// Zeroes `blocks` (one `memset`), in a way the compiler cannot leave out as a store nobody
/// reads.
fn wipe(blocks: &mut [Block]) {
    blocks.fill(Block::default());
    std::hint::black_box(blocks);
}

/// Argon2 (any variant, version and parameters, as `argon2::Argon2`) hashing in a [`Memory`].
pub struct WithMemory<'m>(pub &'m Memory);

impl PasswordHasher for WithMemory<'_> {
    type Params = Params;

    /// `argon2::Argon2::hash_password_customized` and `hash_password`, line for line, with the
    /// blocks from the [`Memory`] in place of `hash_password_into`'s new allocation.
    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm
            .map(Algorithm::try_from)
            .transpose()?
            .unwrap_or_default();
        let version = version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let salt = salt.into();
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let output = Output::init_with(output_len, |out| {
            self.0.with_blocks(params.block_count(), |blocks| {
                argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks)
            })?;
            Ok(())
        })?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;

    use super::*;

    /// The same strings as `argon2::Argon2` for the same inputs, hash after hash in one
    /// memory (so on blocks left by the hash before), for every variant and version, smaller
    /// and larger memory than kept, and an output length of its own.
    #[test]
    fn hashes_are_argon2s_own_on_reused_memory() {
        let memory = Memory::new(Params::DEFAULT_M_COST, Arc::default());
        let salt = Salt::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap();
        let cases = [
            (Algorithm::Argon2id, Version::V0x13, Params::default()),
            (
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(64, 3, 1, None).unwrap(),
            ),
            (
                Algorithm::Argon2i,
                Version::V0x13,
                Params::new(256, 2, 2, None).unwrap(),
            ),
            (
                Algorithm::Argon2d,
                Version::V0x10,
                Params::new(128, 1, 1, Some(48)).unwrap(),
            ),
            (
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(20_480, 1, 1, None).unwrap(),
            ),
            (Algorithm::Argon2id, Version::V0x13, Params::default()),
        ];
        for (algorithm, version, params) in cases {
            let ours = WithMemory(&memory)
                .hash_password_customized(
                    b"Correct horse",
                    Some(algorithm.ident()),
                    Some(version.into()),
                    params.clone(),
                    salt,
                )
                .unwrap()
                .to_string();
            let theirs = Argon2::new(algorithm, version, params)
                .hash_password(b"Correct horse", salt)
                .unwrap()
                .to_string();
            assert_eq!(ours, theirs);
            assert_eq!(memory.held(), Params::DEFAULT_M_COST as usize * Block::SIZE);
            let kept = memory.blocks.borrow();
            let left = kept
                .iter()
                .flat_map(|block| block.as_ref())
                .any(|word| *word != 0);
            assert!(!left, "the blocks are wiped after the hash");
        }
        memory.release();
        assert_eq!(memory.held(), 0);
    }

    /// Verification (`password_hash`'s, on these hashes) agrees with `argon2::Argon2`'s.
    #[test]
    fn verification_agrees_with_argon2s() {
        let memory = Memory::new(Params::DEFAULT_M_COST, Arc::default());
        let salt = Salt::from_b64("YW5vdGhlcnNhbHR2YWx1ZQ").unwrap();
        let stored = [
            Argon2::default()
                .hash_password(b"Correct horse", salt)
                .unwrap(),
            Argon2::new(
                Algorithm::Argon2i,
                Version::V0x10,
                Params::new(512, 2, 1, None).unwrap(),
            )
            .hash_password(b"Correct horse", salt)
            .unwrap(),
        ];
        for hash in &stored {
            for (password, right) in [(&b"Correct horse"[..], true), (b"correct horse", false)] {
                assert_eq!(
                    WithMemory(&memory).verify_password(password, hash).is_ok(),
                    right
                );
                assert_eq!(
                    Argon2::default().verify_password(password, hash).is_ok(),
                    right
                );
            }
        }
    }
}
