//! The PostgreSQL pool: bounded waits for a connection, for a lock and for a statement, and a
//! first connection made directly so that a wrong address or password fails start-up with the
//! server's own words.

use std::str::FromStr;

use sqlx::{
    ConnectOptions, Connection, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use super::DatabaseConfig;

/// Opens the pool. Every connection runs with `statement_timeout` (no statement runs longer
/// than `database.statement_timeout`) and `lock_timeout` (none waits for a row lock longer than
/// `database.busy_timeout`), so a stuck database fails requests with a `503` instead of holding
/// them. sqlx checks each connection before handing it out (the default), so connections a
/// restarted server dropped are replaced, and the app recovers by itself.
pub async fn open(config: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    let millis = |d: std::time::Duration| format!("{}ms", d.as_millis().max(1));
    let options = PgConnectOptions::from_str(&config.url)?
        .application_name("flashboard")
        .options([
            ("statement_timeout", millis(config.statement_timeout)),
            ("lock_timeout", millis(config.busy_timeout)),
        ])
        .log_slow_statements(log::LevelFilter::Debug, std::time::Duration::from_secs(1));
    // The pool retries a refused connection until its wait runs out and then reports only that
    // it timed out; a direct connection reports why ("connection refused", "password
    // authentication failed for user ...").
    PgConnection::connect_with(&options).await?.close().await?;
    PgPoolOptions::new()
        .max_connections(config.max_connections.get())
        .acquire_timeout(config.busy_timeout.max(super::pool::MIN_ACQUIRE_WAIT))
        .connect_with(options)
        .await
}
