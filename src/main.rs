//! The Flashboard binary. `flashboard` (or `flashboard serve`) reads `Leptos.toml` and serves
//! until SIGINT or SIGTERM; the other subcommands are the operator's chores
//! (`flashboard::server::ops`): they read the same settings, do one thing and exit.
//! The subcommands are clap's: `flashboard --help`, `flashboard <command> --help`. Exit status:
//! 0 done, 1 failed (the reason on standard error), 2 a command line it cannot read.

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
    /// Print the effective settings, each with where it came from (default, file or
    /// environment variable), secrets masked; exit 1 when they would stop the server.
    CheckConfig,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// List or end sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Prune the auth event log.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Write a consistent copy of the SQLite database to PATH (a new file), safe while the
    /// server runs.
    Backup {
        /// The file to write; it must not exist.
        path: std::path::PathBuf,
    },
}

#[cfg(feature = "ssr")]
#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from a prompt, or from the first line of
    /// standard input when it is not a terminal (never from the command line).
    Create {
        name: String,
        #[arg(long)]
        email: String,
    },
    /// List the accounts with their live sessions.
    List,
    /// Set a user's password (read as for `create`) and end every session of theirs.
    SetPassword { name: String },
    /// Delete an account, every session of theirs, and their name from the auth event log.
    Delete { name: String },
}

#[cfg(feature = "ssr")]
#[derive(Subcommand)]
enum SessionsCommand {
    /// List the live sessions, most recently used first (by fingerprint, never by id).
    List {
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        /// Show at most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Delete the expired session records now, or end every session of one user.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["expired", "user"])))]
    Purge {
        /// The expired ones (the server's sweeper deletes them too, every minute).
        #[arg(long)]
        expired: bool,
        /// Every session of this user.
        #[arg(long)]
        user: Option<String>,
    },
}

#[cfg(feature = "ssr")]
#[derive(Subcommand)]
enum EventsCommand {
    /// Delete the events older than the given age, e.g. `--older-than 90days` (at least 1h).
    Prune {
        #[arg(long, value_parser = humantime::parse_duration)]
        older_than: std::time::Duration,
    },
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use flashboard::server::{self, ops};

    // A command line clap cannot read: its message and usage, status 2 (`--help` and
    // `--version`: status 0).
    let cli = Cli::parse();
    let result: Result<(), Box<dyn std::error::Error>> = match cli.command.unwrap_or(Command::Serve)
    {
        Command::Serve => server::run().await.map_err(Into::into),
        Command::Migrate => server::migrate().await.map_err(Into::into),
        Command::CheckConfig => {
            let secrets = server::secret::Secrets::from_env();
            server::config::report::Report::load(&secrets)
                .map(|report| {
                    // A closed pipe ends the output quietly.
                    use std::io::Write;
                    let _ = write!(std::io::stdout().lock(), "{report}");
                })
                .map_err(Into::into)
        }
        Command::User(command) => user(command).await.map_err(Into::into),
        Command::Sessions(SessionsCommand::List { user, limit }) => {
            ops::list_sessions(user.as_deref(), limit)
                .await
                .map_err(Into::into)
        }
        Command::Sessions(SessionsCommand::Purge {
            user: Some(name), ..
        }) => ops::purge_user_sessions(&name).await.map_err(Into::into),
        Command::Sessions(SessionsCommand::Purge { .. }) => {
            ops::purge_expired_sessions().await.map_err(Into::into)
        }
        Command::Events(EventsCommand::Prune { older_than }) => {
            ops::prune_events(older_than).await.map_err(Into::into)
        }
        Command::Backup { path } => ops::backup(&path).await.map_err(Into::into),
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

#[cfg(feature = "ssr")]
async fn user(command: UserCommand) -> Result<(), flashboard::server::ops::OpsError> {
    use flashboard::server::ops;

    match command {
        UserCommand::Create { name, email } => {
            let password = ops::read_password(&name)?;
            ops::create_user(&name, &email, password).await
        }
        UserCommand::List => ops::list_users().await,
        UserCommand::SetPassword { name } => {
            let password = ops::read_password(&name)?;
            ops::set_password(&name, password).await
        }
        UserCommand::Delete { name } => ops::delete_user(&name).await,
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts from `flashboard::hydrate`; this binary is only built with `ssr`.
}
