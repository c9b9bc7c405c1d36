//! The session store: tower-sessions' `SessionStore` over the `tower_sessions` table
//! (`migrations/sqlite/0000_sessions.sql`), written for this app rather than taken from
//! tower-sessions-sqlx-store, for four reasons:
//!
//! 1. **Saving never resurrects a session.** tower-sessions-sqlx-store's save is an upsert.
//!    When a user logs out while another request of theirs is still running, the log-out
//!    deletes the row; if the slow request then saved its (stale) copy, an upsert would insert
//!    the row again and bring the logged-out session back under the old cookie. [`SessionStore::save`]
//!    is an `UPDATE`: a row that is gone stays gone. Only [`SessionStore::create`] inserts.
//! 2. **The server decides when a session ends.** Each record's `expiry_date` comes from the
//!    app's timeouts ([`Lifetimes::record_expiry`]), not from the cookie's expiry, so a
//!    browser-session cookie still has a server-side end.
//! 3. **Expiry is a number.** `expiry_date` holds Unix seconds, compared as integers and
//!    indexed, so loading filters on it for free and the sweeper finds expired rows without
//!    reading the table (tower-sessions-sqlx-store writes RFC 3339 text and deletes with
//!    `datetime(expiry_date) < datetime('now')`, which no index can serve: 12.8 s of write lock
//!    for a million expired rows).
//! 4. **The device facts go with it.** Each write of a record also writes who is logged in to
//!    it and since when ([`db::sessions::DeviceColumns`], for the list of devices), in the same row:
//!    every write is one statement, atomic by itself, and holds SQLite's write lock only while
//!    SQLite executes it.
//!
//! Loading a session also answers, in the same statement, whether flashes wait for it and who
//! its user is ([`super::loaded`]): the two questions every page asks next.

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store,
};

use super::{
    cycle::{BORN_EXPIRED, CYCLING},
    lifetime::{Lifetimes, META_KEY},
    loaded::{LOADED_KEY, Loaded},
    merge, user_sessions,
};
use crate::{
    db::{self, Db},
    db_health::{DbHealth, Unavailable, store_error},
};

/// The `expiry_date` of a record created at `now` and not yet alive (see [`finish_cycle`](super::cycle::finish_cycle)):
/// negative, so it is past for every load, and says when it was made, for the sweeper.
pub(super) fn not_alive_since(now: i64) -> i64 {
    -now
}

/// The app's session store (table `tower_sessions`).
#[derive(Clone, Debug)]
pub struct SessionStore {
    pub(super) db: Db,
    pub(super) lifetimes: Lifetimes,
    pub(super) health: DbHealth,
}

impl SessionStore {
    /// A store over `db`, whose schema the migrations created; its failures go to `health`.
    pub fn new(db: Db, lifetimes: Lifetimes, health: DbHealth) -> Self {
        Self {
            db,
            lifetimes,
            health,
        }
    }

    /// A failed statement as the store's error, told to the database's health. The words start
    /// with the reason when the database is unavailable ([`Unavailable::of`] reads it back:
    /// tower-sessions' errors are strings). `what` failed is logged for writes (tower-sessions'
    /// own log of them is off, see `web::telemetry`); loads are logged by their callers.
    fn failed(&self, what: Option<&str>, err: sqlx::Error) -> session_store::Error {
        let reason = match what {
            Some(what) => self.health.failed(what, &err),
            None => self.health.notice(&err),
        };
        store_error(reason, err)
    }

    /// The stored record of session `id`, read straight from the table (for the inspector).
    pub async fn load_record(db: &Db, id: &Id, now: i64) -> session_store::Result<Option<Record>> {
        let data = db::sessions::load(db, &id.to_string(), now)
            .await
            .map_err(backend)?;
        Ok(data.and_then(|data| decode(&data)))
    }
}

/// Loads a live session with what the page will ask next ([`Loaded`]), in one statement.
async fn load_with_facts(db: &Db, id: &Id, now: i64) -> Result<Option<Record>, sqlx::Error> {
    let Some(row) = db::sessions::load_with_facts(db, &id.to_string(), now).await? else {
        return Ok(None);
    };
    let Some(mut record) = decode(&row.data) else {
        return Ok(None);
    };
    merge::remember(&mut record, row.version);
    let loaded = Loaded {
        flash_waiting: row.flash_waiting,
        user: row.user,
    };
    if let Ok(value) = serde_json::to_value(loaded) {
        record.data.insert(LOADED_KEY.to_owned(), value);
    }
    Ok(Some(record))
}

/// A stored record; `None` (and a warning) for one that cannot be read.
fn decode(data: &[u8]) -> Option<Record> {
    match rmp_serde::from_slice(data) {
        Ok(record) => Some(record),
        Err(err) => {
            tracing::warn!(error = %err, "unreadable session record; starting a new session");
            None
        }
    }
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

/// `record` as stored: without the reserved keys (the load-time facts, what was loaded), which
/// are never written.
fn stripped(record: &Record) -> Record {
    let mut stored = record.clone();
    stored.data.remove(LOADED_KEY);
    stored.data.remove(merge::STORED_KEY);
    stored
}

fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    rmp_serde::to_vec(record).map_err(|err| session_store::Error::Encode(err.to_string()))
}

/// Tries a save of the longest this many times against newer versions before it writes anyway.
const MAX_MERGES: usize = 8;

impl SessionStore {
    /// [`SessionStore::save`]'s writes: `stored` at `version`, or `changes` merged into newer
    /// versions.
    async fn save_changes(
        &self,
        record: &Record,
        mut stored: Record,
        mut version: i64,
        changes: merge::Changes,
    ) -> session_store::Result<()> {
        for _ in 0..MAX_MERGES {
            if self.write(&stored, Some(version)).await? {
                return Ok(());
            }
            let newer = db::sessions::load_version(&self.db, &record.id.to_string())
                .await
                .map_err(|err| self.failed(Some("save the session"), err))?;
            let Some((data, newer_version)) = newer else {
                tracing::warn!(
                    "session deleted by a concurrent request (log-out?); not saving it again"
                );
                return Ok(());
            };
            let Some(newer) = decode(&data) else {
                break;
            };
            stored.data = newer.data;
            changes.apply(&mut stored.data);
            version = newer_version;
        }
        tracing::warn!("session saved over a newer version after repeated conflicts");
        self.write(&stored, None).await.map(|_| ())
    }

    /// Writes `record` (reserved keys already stripped) over its row, if the row is still
    /// `version` (any version when `None`), counting the version up. Whether it wrote: `false`
    /// when the row is newer, or gone.
    async fn write(&self, record: &Record, version: Option<i64>) -> session_store::Result<bool> {
        let row = db::sessions::Row {
            id: &record.id.to_string(),
            data: &encode(record)?,
            expiry: self.lifetimes.record_expiry(record).unix_timestamp(),
            device: &user_sessions::device_columns(record),
        };
        let updated = db::sessions::update(&self.db, &row, version)
            .await
            .map_err(|err| self.failed(Some("save the session"), err))?;
        if !updated && version.is_none() {
            tracing::warn!(
                "session deleted by a concurrent request (log-out?); not saving it again"
            );
        }
        Ok(updated)
    }
}

#[async_trait]
impl tower_sessions::SessionStore for SessionStore {
    /// Inserts a new record (a new session, or a cycled id) with its device columns. An id
    /// that is taken (a 128-bit random collision) is drawn again.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        record.expiry_date = self.lifetimes.record_expiry(record);
        let stored = stripped(record);
        let device = user_sessions::device_columns(&stored);
        // Inside `finish_cycle`: stored not yet alive, brought to life by its transaction.
        let expiry = record.expiry_date.unix_timestamp();
        let stored_expiry = BORN_EXPIRED
            .try_with(|alive_at| {
                alive_at.set(Some(expiry));
                not_alive_since(self.lifetimes.now_unix())
            })
            .unwrap_or(expiry);
        loop {
            let data = encode(&Record {
                id: record.id,
                ..stored.clone()
            })?;
            let row = db::sessions::Row {
                id: &record.id.to_string(),
                data: &data,
                expiry: stored_expiry,
                device: &device,
            };
            let inserted = db::sessions::insert(&self.db, &row)
                .await
                .map_err(|err| self.failed(Some("create the session"), err))?;
            if inserted {
                // A later save in the same request merges against what was just written.
                record.data.retain(|key, _| key != LOADED_KEY);
                merge::remember(record, 0);
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Saves an existing session: only if its row is still the version this request loaded;
    /// otherwise the keys this request changed are applied to the newer version (see
    /// [`merge`]), so no request undoes another's change. Does nothing (and logs) when the row
    /// was deleted meanwhile, as by a concurrent log-out: the response still carries the old
    /// id, which no longer names a session, so the browser stays logged out.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let stored = stripped(record);
        let Some((version, changes)) = merge::changes(record, &stored.data) else {
            // Not loaded by this store (its reserved keys were cleared): written whole.
            return self.write(&stored, None).await.map(|_| ());
        };
        if changes.is_empty() {
            // Nothing in the data changed (only the cookie's expiry): nothing to write.
            return Ok(());
        }
        // A request whose only change is the note that the session was used (its last-seen
        // time, see `lifetime::track`) answers a page that needs no write: an unavailable
        // database does not fail it, nor make it wait. (The idle clock is not moved on.)
        let touch = changes.only(META_KEY);
        if touch && let Some(reason) = self.health.failing() {
            tracing::debug!(%reason, "session use not noted: the database is down");
            return Ok(());
        }
        match self.save_changes(record, stored, version, changes).await {
            Err(err) if touch && Unavailable::of(&err).is_some() => Ok(()),
            saved => saved,
        }
    }

    /// Loads a live session. An expired record is no session; one that cannot be decoded is
    /// treated as no session (and logged), never as an error page.
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        load_with_facts(&self.db, id, self.lifetimes.now_unix())
            .await
            .map_err(|err| self.failed(None, err))
    }

    /// Deletes the record (its flashes go with it), unless [`cycle_id_keeping_rows`](super::cycle::cycle_id_keeping_rows) is cycling
    /// it: then the deletion waits for [`finish_cycle`](super::cycle::finish_cycle).
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deferred = CYCLING.try_with(|old| old.set(Some(*id))).is_ok();
        if deferred {
            return Ok(());
        }
        db::sessions::delete(&self.db, &id.to_string())
            .await
            .map_err(|err| self.failed(Some("delete the session"), err))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tower_sessions::{Session, SessionStore as _};

    use super::*;

    async fn store() -> (Arc<SessionStore>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::test_pool(dir.path(), "sessions.db").await;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .unwrap();
        let lifetimes = Lifetimes::from_config(
            &crate::session::config::SessionConfig::default(),
            crate::clock::Clock::system(),
        );
        let health = DbHealth::new(Db::from_sqlite(pool.clone()), crate::clock::Clock::system());
        (
            Arc::new(SessionStore::new(Db::from_sqlite(pool), lifetimes, health)),
            dir,
        )
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
            .execute(store.db.sqlite_pool().unwrap())
            .await
            .unwrap();
        assert!(store.load(&id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn expiry_is_stored_as_unix_seconds_and_an_expired_record_is_no_session() {
        let (store, _dir) = store().await;
        let session = Session::new(None, store.clone(), None);
        session.insert("theme", "light").await.unwrap();
        session.save().await.unwrap();
        let id = session.id().unwrap().to_string();
        let (kind, expiry): (String, i64) = sqlx::query_as(
            "SELECT typeof(expiry_date), expiry_date FROM tower_sessions WHERE id = ?",
        )
        .bind(&id)
        .fetch_one(store.db.sqlite_pool().unwrap())
        .await
        .unwrap();
        assert_eq!(kind, "integer");
        let now = tower_sessions::cookie::time::OffsetDateTime::now_utc().unix_timestamp();
        assert!((now..=now + 30 * 60).contains(&expiry), "{expiry}");

        sqlx::query("UPDATE tower_sessions SET expiry_date = ?")
            .bind(now - 1)
            .execute(store.db.sqlite_pool().unwrap())
            .await
            .unwrap();
        assert!(store.load(&id.parse().unwrap()).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn the_sweeper_deletes_expired_records_in_batches_and_keeps_live_ones() {
        let (store, _dir) = store().await;
        let now = tower_sessions::cookie::time::OffsetDateTime::now_utc().unix_timestamp();
        // 1,234 expired records (more than two batches) with a flash each, and 3 live ones.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1237) \
             INSERT INTO tower_sessions (id, data, expiry_date) \
             SELECT 'session' || i, x'80', CASE WHEN i <= 1234 THEN ?1 - i ELSE ?1 + 60 END \
             FROM n",
        )
        .bind(now)
        .execute(store.db.sqlite_pool().unwrap())
        .await
        .unwrap();
        sqlx::query("INSERT INTO flash (session_id, category, message) SELECT id, 'info', 'x' FROM tower_sessions")
            .execute(store.db.sqlite_pool().unwrap())
            .await
            .unwrap();

        assert_eq!(store.sweep().await.unwrap(), 1234);
        let count = |table: &'static str| {
            let pool = store.db.sqlite_pool().unwrap().clone();
            async move {
                sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(count("tower_sessions").await, 3);
        assert_eq!(count("flash").await, 3, "flashes go with their session");
        assert_eq!(store.sweep().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn the_sweeper_leaves_a_record_a_log_in_is_still_bringing_to_life() {
        let (store, _dir) = store().await;
        let now = store.lifetimes.now_unix();
        for (id, expiry) in [
            ("expired", now - 1),
            ("alive", now + 600),
            ("unborn-just-now", not_alive_since(now - 5)),
            (
                "unborn-long-ago",
                not_alive_since(now - crate::session::sweep::UNBORN_GRACE_SECONDS - 5),
            ),
        ] {
            sqlx::query("INSERT INTO tower_sessions (id, data, expiry_date) VALUES (?, x'00', ?)")
                .bind(id)
                .bind(expiry)
                .execute(store.db.sqlite_pool().unwrap())
                .await
                .unwrap();
        }
        assert_eq!(store.sweep().await.unwrap(), 2);
        let left: Vec<String> = sqlx::query_scalar("SELECT id FROM tower_sessions ORDER BY id")
            .fetch_all(store.db.sqlite_pool().unwrap())
            .await
            .unwrap();
        assert_eq!(left, ["alive", "unborn-just-now"]);
    }

    #[tokio::test]
    async fn a_database_from_before_integer_expiry_keeps_its_live_sessions() {
        use tower_sessions::cookie::time::{Duration, OffsetDateTime};

        // The old layout: tower-sessions-sqlx-store's table (RFC 3339 text expiry) and the
        // migrations up to 0004.
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::test_pool(dir.path(), "old.db").await;
        let old = tower_sessions_sqlx_store::SqliteStore::new(pool.clone());
        old.migrate().await.unwrap();
        let early = dir.path().join("migrations");
        std::fs::create_dir(&early).unwrap();
        for entry in
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap()
        {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if ("0001".."0005").contains(&&name[..4]) {
                std::fs::copy(&path, early.join(name)).unwrap();
            }
        }
        sqlx::migrate::Migrator::new(early.as_path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        let record = |expiry| Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: expiry,
        };
        let mut live = record(OffsetDateTime::now_utc() + Duration::minutes(20));
        let mut expired = record(OffsetDateTime::now_utc() - Duration::minutes(1));
        old.create(&mut live).await.unwrap();
        old.create(&mut expired).await.unwrap();
        // The live one is a logged-in session, listed in the old `user_sessions`.
        sqlx::query(
            "INSERT INTO users (id, username, username_key, email, password_hash) \
             VALUES (7, 'old', 'old', 'old@example.com', 'x')",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO user_sessions \
               (session_id, user_id, started_at, last_seen, remembered, user_agent) \
             VALUES (?, 7, 100, 200, 1, 'Firefox')",
        )
        .bind(live.id.to_string())
        .execute(&pool)
        .await
        .unwrap();

        // Start-up applies the rest.
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .unwrap();
        let kinds: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT typeof(expiry_date) FROM tower_sessions")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(kinds, ["integer"]);
        let device: (i64, i64, i64, bool, String) = sqlx::query_as(
            "SELECT user_id, started_at, last_seen, remembered, user_agent FROM tower_sessions \
             WHERE id = ?",
        )
        .bind(live.id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(device, (7, 100, 200, true, "Firefox".to_owned()));
        let lifetimes = Lifetimes::from_config(
            &crate::session::config::SessionConfig::default(),
            crate::clock::Clock::system(),
        );
        let health = DbHealth::new(Db::from_sqlite(pool.clone()), crate::clock::Clock::system());
        let store = SessionStore::new(Db::from_sqlite(pool), lifetimes, health);
        let loaded = store
            .load(&live.id)
            .await
            .unwrap()
            .expect("live session kept");
        assert_eq!(loaded.id, live.id);
        assert!(store.load(&expired.id).await.unwrap().is_none());
        assert_eq!(store.sweep().await.unwrap(), 1);
    }
}
