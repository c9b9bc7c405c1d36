//! The `users` table.

use super::Db;

/// A user as stored, with the password hash. Deliberately not `Serialize`: it never leaves
/// the server, and its `Debug` hides the hash.
pub struct StoredUser {
    pub id: i64,
    pub username: String,
    /// The comparison key (see `auth::form::username_key`).
    pub username_key: String,
    pub email: String,
    pub password_hash: String,
}

impl std::fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("username_key", &self.username_key)
            .field("email", &self.email)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

/// A user to insert: the name as typed, its comparison key, the e-mail and the password hash.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub username_key: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
}

/// Inserts a user; `Ok(None)` when the name is taken (the unique index decides, so of two
/// concurrent registrations of one name exactly one succeeds).
pub async fn insert(db: &Db, user: NewUser<'_>) -> Result<Option<i64>, sqlx::Error> {
    // `fetch_all`, never `fetch_one`, with `RETURNING`: SQLite commits when the statement runs
    // to its end, and sqlx's `fetch_one` stops after the first row, losing the commit's error
    // (a full or read-only disk): the user would be reported created and not be.
    let result = on_pool!(db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (username, username_key, email, password_hash) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user.username)
    .bind(user.username_key)
    .bind(user.email)
    .bind(user.password_hash)
    .fetch_all(pool)
    .await);
    match result {
        Ok(ids) => Ok(Some(ids.first().copied().ok_or(sqlx::Error::RowNotFound)?)),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Ok(None),
        Err(err) => Err(err),
    }
}

/// Whether a user with this comparison key exists.
pub async fn name_taken(db: &Db, username_key: &str) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username_key = $1)")
        .bind(username_key)
        .fetch_one(pool)
        .await)
}

const STORED: &str = "SELECT id, username, username_key, email, password_hash FROM users";

type StoredRow = (i64, String, String, String, String);

/// The user with this comparison key, hash included, for logging in.
pub async fn by_key(db: &Db, username_key: &str) -> Result<Option<StoredUser>, sqlx::Error> {
    let sql = format!("{STORED} WHERE username_key = $1");
    let row: Option<StoredRow> = on_pool!(db, pool =>
        sqlx::query_as(&sql).bind(username_key).fetch_optional(pool).await)?;
    Ok(row.map(stored))
}

/// The user with this id, hash included, for confirming their password.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<StoredUser>, sqlx::Error> {
    let sql = format!("{STORED} WHERE id = $1");
    let row: Option<StoredRow> = on_pool!(db, pool =>
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
    Ok(row.map(stored))
}

fn stored((id, username, username_key, email, password_hash): StoredRow) -> StoredUser {
    StoredUser {
        id,
        username,
        username_key,
        email,
        password_hash,
    }
}

/// A user a reset link can be sent to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// The users a "forgotten password" request names: the one whose name has the comparison key
/// `username_key`, and those whose e-mail address is `email` (compared without case), at most
/// five (an address may serve several accounts).
pub async fn by_name_or_email(
    db: &Db,
    username_key: &str,
    email: &str,
) -> Result<Vec<Recipient>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT id, username, email FROM users \
         WHERE username_key = $1 OR lower(email) = lower($2) ORDER BY id LIMIT 5",
    )
    .bind(username_key)
    .bind(email)
    .fetch_all(pool)
    .await)
}

/// A user as the operator's `flashboard user list` shows them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub created_at: i64,
    /// Session records of theirs that have not expired.
    pub sessions: i64,
}

/// Every user, oldest first, with how many live sessions each has at `now`.
pub async fn list(db: &Db, now: i64) -> Result<Vec<Listed>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as(
        "SELECT u.id, u.username, u.email, u.created_at, \
                (SELECT count(*) FROM tower_sessions s WHERE s.user_id = u.id AND s.expiry_date > $1) AS sessions \
         FROM users u ORDER BY u.id",
    )
    .bind(now)
    .fetch_all(pool)
    .await)
}

/// Deletes the user `id` (whose comparison key is `username_key`, and `email_key` their
/// address's) and everything of theirs, in one transaction: their session records (and with
/// them the flashes waiting in them: both foreign keys cascade), their reset links (cascade),
/// their places in the log-in throttle, and their name, address and id in the auth event log
/// (the events stay, anonymous). Returns whether a user went.
pub async fn delete(
    db: &Db,
    id: i64,
    username_key: &str,
    email_key: &str,
) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        // Three statements, each on an index of its own (`auth_events_user`,
        // `auth_events_name`): the write lock is held for the user's rows, not a scan.
        for key in [username_key, email_key] {
            sqlx::query(
                "UPDATE auth_events SET user_id = NULL, username = NULL, username_key = NULL \
                 WHERE username_key = $1",
            )
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE auth_events SET user_id = NULL, username = NULL, username_key = NULL \
             WHERE user_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_attempts WHERE slot = $1")
            .bind(username_key)
            .execute(&mut *tx)
            .await?;
        // Explicit, not left to the cascade: a session's flashes go with it either way.
        sqlx::query("DELETE FROM tower_sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    })
}

/// The name of the user with this id.
pub async fn name_of(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Changes a user's password, in one transaction with what a new password ends: their reset
/// links, and every session of theirs but `keep` (all of them without one). With `link` (a
/// reset link's token hash, and the time now), the change is that link's: it is used up in the
/// same transaction, and when it is no longer there (used by a racing request, expired)
/// nothing changes and the answer is `None`. Otherwise, how many sessions ended. Either all of
/// it happens or none: a password never changes while an old session or link survives it.
pub async fn change_password(
    db: &Db,
    id: i64,
    password_hash: &str,
    keep: Option<&str>,
    link: Option<(&str, i64)>,
) -> Result<Option<u64>, sqlx::Error> {
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if let Some((token_hash, now)) = link {
            let used = sqlx::query(
                "DELETE FROM password_resets \
                 WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3",
            )
            .bind(token_hash)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if used != 1 {
                tx.rollback().await?;
                return Ok(None);
            }
        }
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query(
            "DELETE FROM tower_sessions WHERE user_id = $1 AND ($2 IS NULL OR id <> $2)",
        )
        .bind(id)
        .bind(keep)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(Some(ended))
    })
}

/// Replaces a user's password hash `old` by `password_hash` (a re-hash of the same password
/// with stronger parameters), unless it changed meanwhile: a log-in that verified the old
/// password must not write it back over a new one. Returns whether it was replaced.
pub async fn rehash_password(
    db: &Db,
    id: i64,
    old: &str,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let replaced = on_pool!(db, pool => sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
    )
    .bind(password_hash)
    .bind(id)
    .bind(old)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(replaced == 1)
}
