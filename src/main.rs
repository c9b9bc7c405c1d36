//! The Flashboard server binary: reads `Leptos.toml`, then serves until SIGINT or SIGTERM.

/// mimalloc instead of glibc's malloc: a page render makes a few thousand small allocations,
/// and glibc's allocator took about a fifth of the server's CPU time under load (see the README's
/// Performance section for what it bought).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match flashboard::server::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // Tracing may not be set up yet (a bad config stops us before that), so print plainly.
            eprintln!("flashboard: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts from `flashboard::hydrate`; this binary is only built with `ssr`.
}
