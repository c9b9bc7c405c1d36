//! The Flashboard server binary: reads `Leptos.toml`, then serves until SIGINT or SIGTERM
//! (`flashboard`), or applies the database migrations and exits (`flashboard migrate`).

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let command = std::env::args().nth(1);
    let result = match command.as_deref() {
        None => flashboard::server::run().await,
        Some("migrate") => flashboard::server::migrate().await,
        Some(other) => {
            eprintln!(
                "flashboard: unknown command `{other}`: run `flashboard` or `flashboard migrate`"
            );
            return std::process::ExitCode::from(2);
        }
    };
    match result {
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
