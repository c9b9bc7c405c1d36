//! The `users` table.

use super::Db;

/// A user as stored, with the password hash. Deliberately not `Serialize`: it never leaves
/// the server, and its `Debug` hides the hash.
pub struct StoredUser {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

impl std::fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredUser")
            .field("id", &self.id)
            .field("username", &self.username)
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

/// The user with this comparison key, hash included, for logging in.
pub async fn by_key(db: &Db, username_key: &str) -> Result<Option<StoredUser>, sqlx::Error> {
    let row: Option<(i64, String, String)> = on_pool!(db, pool =>
        sqlx::query_as("SELECT id, username, password_hash FROM users WHERE username_key = $1")
            .bind(username_key)
            .fetch_optional(pool)
            .await)?;
    Ok(row.map(|(id, username, password_hash)| StoredUser {
        id,
        username,
        password_hash,
    }))
}

/// The name of the user with this id.
pub async fn name_of(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Replaces a user's password hash (after a re-hash with stronger parameters).
pub async fn set_password_hash(db: &Db, id: i64, password_hash: &str) -> Result<(), sqlx::Error> {
    on_pool!(db, pool => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}
