//! The Flashboard binary. `flashboard` (or `flashboard serve`) reads `Leptos.toml` and serves
//! until SIGINT or SIGTERM; `flashboard migrate` applies the database migrations and exits.
//! The subcommands are clap's: `flashboard --help`, `flashboard <command> --help`; a command line
//! it cannot read exits with status 2 and says why.

#[cfg(feature = "ssr")]
use clap::{Parser, Subcommand};

/// Flashboard: categorized one-time flash messages and server-side sessions, in Rust and Leptos.
///
/// Settings come from `Leptos.toml` (or the file `FLASHBOARD_CONFIG` names) and `FLASHBOARD_*`
/// environment variables; secrets from the environment only.
#[cfg(feature = "ssr")]
#[derive(Parser)]
#[command(name = "flashboard", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[cfg(feature = "ssr")]
#[derive(Subcommand)]
enum Command {
    /// Serve the app until SIGINT or SIGTERM (what `flashboard` alone does).
    Serve,
    /// Apply the database migrations that have not run yet, then exit (status 0, or 1 with the
    /// reason). The server applies them at start-up too; this is for deployments that migrate
    /// before rolling out.
    Migrate,
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A command line clap cannot read: its message and usage, status 2 (`--help` and
    // `--version`: status 0).
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => flashboard::server::run().await,
        Command::Migrate => flashboard::server::migrate().await,
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
