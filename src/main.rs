//! The Flashboard server binary: reads `Leptos.toml`, then serves until SIGINT or SIGTERM.

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
