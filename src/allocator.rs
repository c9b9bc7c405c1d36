//! The server's memory allocator: mimalloc instead of glibc's malloc, for every program that
//! links the server side of this crate (the binary, its tests and its benchmark).
//!
//! A page render makes a few thousand small allocations; with glibc's allocator they take
//! about a fifth of the server's CPU under load (`malloc`, `free`, `malloc_consolidate`), and
//! every thread that has hashed a password keeps its own arena of memory (about 500 MB after a
//! log-in flood). The README's Performance section has the measurements.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the calling thread's free memory to the operating system now.
///
/// mimalloc gives freed memory back after a short delay, but only when the thread that freed it
/// allocates again; a thread that did one large job and then waits keeps it. The password
/// hashing threads call this after each hash (19 MiB), so a log-in flood does not leave them
/// holding that much each.
pub fn release_thread_memory() {
    // SAFETY: `mi_collect` only walks and releases the calling thread's own free memory.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
