//! The `ip_limits` table (migrations `0011_ip_limits.sql`): one rate-limit cell per client, as
//! the generic cell rate algorithm keeps it (the algorithm `governor` implements in memory),
//! so that instances sharing the database share the limit.

use super::Db;

/// Admits one attempt of `client` at `now` (Unix milliseconds), `interval` milliseconds apart
/// on average with bursts of `burst`, in one statement (the row's lock makes concurrent attempts
/// from any instance count one after the other). `Ok(None)` when admitted, else the
/// milliseconds until the client may try again.
pub async fn admit(
    db: &Db,
    client: &str,
    now: i64,
    interval: i64,
    burst: i64,
) -> sqlx::Result<Option<i64>> {
    // Admitted when the cell's time, pulled up to now, is at most `burst - 1` intervals ahead;
    // each admission moves it one interval on. A refused attempt changes nothing.
    let tolerance = interval * (burst - 1);
    let sql = match db {
        Db::Sqlite(_) => {
            "INSERT INTO ip_limits (client, tat) VALUES ($1, $2 + $3) \
             ON CONFLICT (client) DO UPDATE SET tat = max(ip_limits.tat, $2) + $3 \
             WHERE max(ip_limits.tat, $2) - $2 <= $4 RETURNING tat"
        }
        Db::Postgres(_) => {
            "INSERT INTO ip_limits (client, tat) VALUES ($1, $2 + $3) \
             ON CONFLICT (client) DO UPDATE SET tat = greatest(ip_limits.tat, $2) + $3 \
             WHERE greatest(ip_limits.tat, $2) - $2 <= $4 RETURNING tat"
        }
    };
    // `fetch_all` runs the statement to its end, so an error of SQLite's commit is not lost
    // (see `users::insert`).
    let admitted: Vec<i64> = on_pool!(db, pool => sqlx::query_scalar(sql)
        .bind(client)
        .bind(now)
        .bind(interval)
        .bind(tolerance)
        .fetch_all(pool)
        .await)?;
    if !admitted.is_empty() {
        return Ok(None);
    }
    let tat: Option<i64> = on_pool!(db, pool =>
        sqlx::query_scalar("SELECT tat FROM ip_limits WHERE client = $1")
            .bind(client)
            .fetch_optional(pool)
            .await)?;
    // (A row that went meanwhile, swept, leaves the client free: a wait of nothing.)
    Ok(Some(tat.map_or(0, |tat| tat - now - tolerance).max(0)))
}

/// Deletes the cells whose time has passed by `now` (Unix milliseconds): a client without one
/// has its whole burst. Returns how many went.
pub async fn prune(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM ip_limits WHERE tat < $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()),
    )
}
