//! The session store: tower-sessions' `SqliteStore` (the chapter's Flask-Session with a database
//! backend, and its `SessionInterface`), with three changes:
//!
//! 1. Saving is safe against log-out (below).
//! 2. The record's `expiry_date` comes from the app's timeouts ([`Lifetimes::record_expiry`]),
//!    not from the cookie's expiry: a browser-session cookie still has a server-side end.
//! 3. Each write of a logged-in session also writes its row in `user_sessions` ([`index`]).
//!
//! `SqliteStore::save` is an upsert (`INSERT ... ON CONFLICT(id) DO UPDATE`). When a user logs
//! out while another request of theirs is still running, the log-out deletes the session row;
//! if the slow request then changes its (stale) copy of the session, its save re-inserts the row
//! and brings the logged-out session back to life under the old cookie. [`Store::save`] is an
//! `UPDATE` instead: a row that is gone stays gone. Only [`Store::create`] inserts (new
//! sessions and cycled ids).

use async_trait::async_trait;
use sqlx::SqlitePool;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};
use tower_sessions_sqlx_store::SqliteStore;

use super::{index, lifetime::Lifetimes};

/// The app's session store (table `tower_sessions`).
#[derive(Clone, Debug)]
pub struct Store {
    inner: SqliteStore,
    pool: SqlitePool,
    lifetimes: Lifetimes,
}

impl Store {
    /// Creates the table when missing and returns the store.
    pub async fn new(pool: SqlitePool, lifetimes: Lifetimes) -> Result<Self, sqlx::Error> {
        let inner = SqliteStore::new(pool.clone());
        inner.migrate().await?;
        Ok(Self {
            inner,
            pool,
            lifetimes,
        })
    }
}

impl Store {
    /// The stored record of session `id`, read straight from the table (for the inspector).
    pub async fn load_record(
        pool: &SqlitePool,
        id: &Id,
    ) -> Result<Option<Record>, session_store::Error> {
        SqliteStore::new(pool.clone()).load(id).await
    }
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        record.expiry_date = self.lifetimes.record_expiry(record);
        self.inner.create(record).await?;
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        index::write(&mut conn, record).await.map_err(backend)
    }

    /// Updates the row of an existing session; does nothing (and logs) when the row was
    /// deleted meanwhile, as by a concurrent log-out. The response still carries the old id,
    /// which no longer names a session, so the browser stays logged out.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = rmp_serde::to_vec(record)
            .map_err(|err| session_store::Error::Encode(err.to_string()))?;
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let updated =
            sqlx::query("UPDATE tower_sessions SET data = ?, expiry_date = ? WHERE id = ?")
                .bind(data)
                .bind(self.lifetimes.record_expiry(record))
                .bind(record.id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
        if updated == 0 {
            tracing::warn!(
                "session deleted by a concurrent request (log-out?); not saving it again"
            );
            return Ok(());
        }
        index::write(&mut tx, record).await.map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    /// Loads a live session. A record that cannot be decoded is treated as no session (and
    /// logged), never as an error page.
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self.inner.load(id).await {
            Err(session_store::Error::Decode(err)) => {
                tracing::warn!(error = %err, "unreadable session record; starting a new session");
                Ok(None)
            }
            other => other,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.inner.delete_expired().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use tower_sessions::Session;

    use super::*;

    async fn store() -> (Arc<Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("sessions.db"))
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new()
            .connect_with(options)
            .await
            .unwrap();
        let store_ = SqliteStore::new(pool.clone());
        store_.migrate().await.unwrap();
        sqlx::migrate!().run(&pool).await.unwrap();
        let lifetimes = Lifetimes::from_config(&crate::server::config::Config::default().session);
        (Arc::new(Store::new(pool, lifetimes).await.unwrap()), dir)
    }

    #[tokio::test]
    async fn a_slow_request_cannot_bring_back_a_logged_out_session() {
        let (store, _dir) = store().await;
        let first = Session::new(None, store.clone(), None);
        first.insert("auth.login", 42).await.unwrap();
        first.save().await.unwrap();
        let id = first.id().unwrap();

        // A slow request loads the session; meanwhile the user logs out.
        let slow = Session::new(Some(id), store.clone(), None);
        assert_eq!(slow.get::<i64>("auth.login").await.unwrap(), Some(42));
        let logout = Session::new(Some(id), store.clone(), None);
        logout.flush().await.unwrap();

        // The slow request changes its copy and saves last.
        slow.insert("theme", "dark").await.unwrap();
        slow.save().await.unwrap();

        assert!(
            store.load(&id).await.unwrap().is_none(),
            "the session came back"
        );
    }

    #[tokio::test]
    async fn saving_a_live_session_updates_it() {
        let (store, _dir) = store().await;
        let session = Session::new(None, store.clone(), None);
        session.insert("theme", "light").await.unwrap();
        session.save().await.unwrap();
        let id = session.id().unwrap();
        let again = Session::new(Some(id), store.clone(), None);
        again.insert("theme", "dark").await.unwrap();
        again.save().await.unwrap();
        let record = store.load(&id).await.unwrap().unwrap();
        assert_eq!(record.data["theme"], "dark");
    }

    #[tokio::test]
    async fn an_unreadable_record_is_no_session() {
        let (store, _dir) = store().await;
        let session = Session::new(None, store.clone(), None);
        session.insert("theme", "light").await.unwrap();
        session.save().await.unwrap();
        let id = session.id().unwrap();
        sqlx::query("UPDATE tower_sessions SET data = x'c1c1c1'")
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.load(&id).await.unwrap().is_none());
    }
}
