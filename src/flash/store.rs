//! Server side: pushing flashes into the session's queue and taking them out.
//!
//! A browser with a stored session keeps its queue in the `flash` table. A visitor without one
//! (before log-in, after log-out) keeps it in the visitor cookie
//! ([`crate::session::visitor`]): anonymous traffic writes nothing to the database.

use std::num::NonZeroU32;

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{StatusCode, request::Parts},
};
use leptos::prelude::use_context;
use tower_sessions::Session;

use super::{
    DEFAULT_CATEGORY,
    request::{PushedHere, session_from_context},
    valid_category,
};
use crate::{
    db::{self, Db, flashes::Pushed},
    error::AppError,
    session::visitor::Visitor,
    text::{Lang, Message},
};

/// The session key that keeps a session with flashes alive: a session must hold some data for
/// tower-sessions to save it and send its cookie.
pub(super) const SESSION_KEY: &str = "flash.queue";

/// Bounds on what one session can hold, so a loop of pushes cannot grow a session without end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlashLimits {
    /// Flashes kept per session; pushing one more drops the oldest.
    pub max_per_session: NonZeroU32,
    /// Characters kept per message; a longer one is cut and ends with `…`.
    pub max_message_chars: usize,
}

impl Default for FlashLimits {
    fn default() -> Self {
        Self {
            max_per_session: NonZeroU32::new(20).unwrap(),
            max_message_chars: 500,
        }
    }
}

/// Where the flashes live: the database (`db::flashes`) and the limits.
/// Put it in the axum state (`FromRef`) and in the Leptos context.
#[derive(Clone, Debug)]
pub struct FlashStore {
    pub(super) db: Db,
    limits: FlashLimits,
}

impl FlashStore {
    /// A store over `db`.
    pub fn new(db: Db, limits: FlashLimits) -> Self {
        Self { db, limits }
    }
}

/// The flashes of one request's session: push them here, take them on the page that shows them.
///
/// Get one with the axum extractor (`flasher: Flasher`) or, in a server function or during
/// server rendering, with [`Flasher::from_context`].
#[derive(Clone, Debug)]
pub struct Flasher {
    pub(super) store: FlashStore,
    pub(super) session: Session,
    pub(super) visitor: Option<Visitor>,
}

/// Why a flash could not be pushed or taken.
#[derive(Debug, thiserror::Error)]
pub enum FlashError {
    /// The category is not 1 to 64 ASCII letters, digits, `_` or `-`.
    #[error("invalid flash category {0:?}")]
    InvalidCategory(String),
    /// The session could not be loaded or saved.
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl FlashError {
    /// The error for a server function's caller: logged here with its cause, sent without it.
    /// (Logged through the database's health when the request has one in its context, so an
    /// unavailable database is logged once, not on every page: see [`crate::db_health`].)
    pub fn into_app_error(self) -> AppError {
        let unavailable = match leptos::prelude::use_context::<crate::db_health::DbHealth>() {
            Some(health) => health
                .failed("read or write flash messages", &self)
                .is_some(),
            None => {
                tracing::error!(error = %self, "flash messages unavailable");
                false
            }
        };
        if unavailable {
            AppError::Unavailable
        } else {
            AppError::Internal
        }
    }
}

impl Flasher {
    /// The flashes of `session`, kept in `store` (and, with [`Flasher::visiting`], in the
    /// visitor cookie while the session has no stored record).
    pub fn new(store: FlashStore, session: Session) -> Self {
        Self {
            store,
            session,
            visitor: None,
        }
    }

    /// Keeps the flashes of a visitor without a stored session in `visitor`'s cookie (without
    /// one, such a push creates a session record).
    pub fn visiting(mut self, visitor: Option<Visitor>) -> Self {
        self.visitor = visitor;
        self
    }

    /// The current request's flashes, for server functions and server rendering: the session
    /// from the request, the store from the Leptos context.
    pub async fn from_context() -> Result<Self, AppError> {
        let session = session_from_context()
            .ok_or_else(|| AppError::internal("no session: is the session layer installed?"))?;
        let store = use_context::<FlashStore>()
            .ok_or_else(|| AppError::internal("FlashStore is missing from the Leptos context"))?;
        Ok(Self::new(store, session).visiting(Visitor::from_context()))
    }

    /// Queues `message` under `category` for the next page this browser renders: a
    /// [`Msg`](crate::text::Msg) of the catalogue (shown in the viewer's language) or text
    /// (`&str`, `String`: shown verbatim).
    ///
    /// The category must pass [`valid_category`](super::valid_category). Verbatim text longer
    /// than the limit is cut; when the session already holds the maximum, the oldest is
    /// dropped. Both are logged.
    pub async fn push(
        &self,
        category: &str,
        message: impl Into<Message>,
    ) -> Result<(), FlashError> {
        self.push_all(&[(category, message.into())]).await
    }

    /// Marks a session whose record is about to be stored (a log-in's) as one that may hold
    /// flashes, so that the record is stored with the mark and a push later in the request
    /// changes nothing in it: once stored, the log-in needs no further save that could fail.
    pub async fn expect_pushes(&self) -> Result<(), FlashError> {
        if self.session.get_value(SESSION_KEY).await?.is_none() {
            self.session.insert(SESSION_KEY, true).await?;
        }
        Ok(())
    }

    /// Queues each `(category, message)`, in order, with one `INSERT` for all of them (and one
    /// `DELETE` of what exceeds the limit): a request that flashes six messages writes twice,
    /// not twelve times. Every category is checked before anything is written, so an invalid
    /// one pushes none.
    pub async fn push_all(&self, flashes: &[(&str, Message)]) -> Result<(), FlashError> {
        if let Some((category, _)) = flashes
            .iter()
            .find(|(category, _)| !valid_category(category))
        {
            return Err(FlashError::InvalidCategory((*category).to_owned()));
        }
        if flashes.is_empty() {
            return Ok(());
        }
        metrics::counter!("flashboard_flashes_pushed_total").increment(flashes.len() as u64);
        let rows: Vec<db::flashes::NewFlash<'_>> = flashes
            .iter()
            .map(|(category, message)| stored(category, self.clip(message)))
            .collect();
        if let Some(visitor) = self.cookie_queue().await? {
            visitor.push_flashes(&rows, self.store.limits.max_per_session.get() as usize);
            PushedHere::mark();
            return Ok(());
        }
        let session_id = self.session_id_for_push().await?;
        let limit = self.store.limits.max_per_session.get();
        match db::flashes::push(&self.store.db, &session_id, &rows, limit).await? {
            Pushed::Stored { dropped } => {
                PushedHere::mark();
                // The queue's limit doing its work, not a fault: counted, not logged at each
                // push (a client posting without ever viewing a page would fill the log).
                if dropped > 0 {
                    metrics::counter!("flashboard_flashes_dropped_total").increment(dropped);
                    tracing::debug!(
                        dropped,
                        limit,
                        "flash queue full: dropped the oldest messages"
                    );
                }
            }
            // Nobody is left to show the flash to.
            Pushed::SessionGone => {
                tracing::warn!("flash dropped: its session was deleted by a concurrent request");
            }
        }
        Ok(())
    }

    /// `push(DEFAULT_CATEGORY, message)`.
    pub async fn message(&self, message: impl Into<Message>) -> Result<(), FlashError> {
        self.push(DEFAULT_CATEGORY, message).await
    }

    /// `push("success", message)`.
    pub async fn success(&self, message: impl Into<Message>) -> Result<(), FlashError> {
        self.push("success", message).await
    }

    /// `push("error", message)`.
    pub async fn error(&self, message: impl Into<Message>) -> Result<(), FlashError> {
        self.push("error", message).await
    }

    /// `push("warning", message)`.
    pub async fn warning(&self, message: impl Into<Message>) -> Result<(), FlashError> {
        self.push("warning", message).await
    }

    /// `push("info", message)`.
    pub async fn info(&self, message: impl Into<Message>) -> Result<(), FlashError> {
        self.push("info", message).await
    }

    /// The visitor cookie, when this request's flashes go there: there is one, and the session
    /// has no stored record.
    async fn cookie_queue(&self) -> Result<Option<&Visitor>, FlashError> {
        let Some(visitor) = &self.visitor else {
            return Ok(None);
        };
        Ok((!crate::session::has_record(&self.session).await?).then_some(visitor))
    }

    /// The id of a session that exists in the store, creating and saving it now when needed:
    /// the flash row refers to it, and its id is only known once saved. (The session middleware
    /// saves it again at the end of the request and sends the cookie.)
    async fn session_id_for_push(&self) -> Result<String, FlashError> {
        self.expect_pushes().await?;
        if self.session.id().is_none() {
            self.session.save().await?;
        }
        let id = self.session.id().ok_or_else(|| {
            FlashError::Session(tower_sessions::session::Error::Store(
                tower_sessions::session_store::Error::Backend("saved session has no id".into()),
            ))
        })?;
        Ok(id.to_string())
    }

    /// `message`, verbatim text cut to the limit (a catalogue message is the app's own, and
    /// short).
    fn clip(&self, message: &Message) -> Message {
        match message {
            Message::Verbatim(text) => Message::Verbatim(self.clip_text(text.clone())),
            Message::Said(_) => message.clone(),
        }
    }

    fn clip_text(&self, message: String) -> String {
        // No control characters but line breaks: a NUL is refused by PostgreSQL, the rest
        // shows as nothing.
        let message = if message.chars().any(|c| c.is_control() && c != '\n') {
            message
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .collect()
        } else {
            message
        };
        let max = self.store.limits.max_message_chars;
        match message.char_indices().nth(max.saturating_sub(1)) {
            Some((cut, _)) if message.chars().count() > max => {
                tracing::warn!(
                    chars = message.chars().count(),
                    limit = max,
                    "flash message too long: cut"
                );
                let mut clipped = message[..cut].to_owned();
                clipped.push('…');
                clipped
            }
            _ => message,
        }
    }
}

/// The row (or cookie entry) that stores `message`: a catalogue message as its key and
/// arguments, with its English words beside them (what an older or newer version of the app
/// that does not know the key shows).
fn stored<'a>(category: &'a str, message: Message) -> db::flashes::NewFlash<'a> {
    match message {
        Message::Verbatim(text) => db::flashes::NewFlash {
            category,
            message: text,
            msg: None,
        },
        Message::Said(msg) => db::flashes::NewFlash {
            category,
            message: msg.render(Lang::En),
            msg: serde_json::to_string(&msg).ok(),
        },
    }
}

impl<S> FromRequestParts<S> for Flasher
where
    FlashStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        let visitor = parts.extensions.get::<Visitor>().cloned();
        Ok(Self::new(FlashStore::from_ref(state), session).visiting(visitor))
    }
}

#[cfg(test)]
mod tests {
    //! The queue against a real SQLite database and real tower-sessions sessions, without HTTP.

    use std::sync::Arc;

    use tower_sessions::{SessionStore, session::Id};
    use tower_sessions_sqlx_store::SqliteStore;

    use super::*;
    use crate::flash::Flash;

    struct Fixture {
        store: FlashStore,
        sessions: Arc<SqliteStore>,
        _dir: tempfile::TempDir,
    }

    async fn fixture(limits: FlashLimits) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::test_pool(dir.path(), "flash.db").await;
        let sessions = SqliteStore::new(pool.clone());
        sessions.migrate().await.unwrap();
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .unwrap();
        Fixture {
            store: FlashStore::new(Db::from_sqlite(pool), limits),
            sessions: Arc::new(sessions),
            _dir: dir,
        }
    }

    impl Fixture {
        /// A request's view of the session `id` (`None`: a browser without a cookie).
        fn request(&self, id: Option<Id>) -> (Flasher, Session) {
            let session = Session::new(id, self.sessions.clone(), None);
            (Flasher::new(self.store.clone(), session.clone()), session)
        }
    }

    fn texts(flashes: &[Flash]) -> Vec<(&str, &str)> {
        flashes
            .iter()
            .map(|f| (f.category.as_str(), f.message.as_str()))
            .collect()
    }

    #[tokio::test]
    async fn push_then_take_returns_them_in_order_once() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, session) = fx.request(None);
        flasher.success("Registered").await.unwrap();
        flasher.message("Plain").await.unwrap();
        flasher.push("stock_alert", "3 left").await.unwrap();
        let id = session.id().expect("pushing created the session");

        // The next request of the same browser.
        let (next, _) = fx.request(Some(id));
        let taken = next.take().await.unwrap();
        assert_eq!(
            texts(&taken),
            [
                ("success", "Registered"),
                ("message", "Plain"),
                ("stock_alert", "3 left")
            ]
        );
        // Once only: the request after that (a reload) finds nothing.
        let (reload, _) = fx.request(Some(id));
        assert!(reload.take().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn same_request_sees_what_it_pushed() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, _) = fx.request(None);
        flasher.info("Now").await.unwrap();
        assert_eq!(texts(&flasher.take().await.unwrap()), [("info", "Now")]);
        assert!(flasher.take().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn taking_without_a_session_writes_nothing() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, session) = fx.request(None);
        assert!(flasher.take().await.unwrap().is_empty());
        assert!(session.id().is_none());
        let (unknown, _) = fx.request(Some(Id::default()));
        assert!(unknown.take().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn invalid_category_is_refused() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, _) = fx.request(None);
        let err = flasher.push("bad category", "x").await.unwrap_err();
        assert!(matches!(err, FlashError::InvalidCategory(_)), "{err}");
    }

    #[tokio::test]
    async fn a_full_queue_drops_the_oldest() {
        let fx = fixture(FlashLimits {
            max_per_session: NonZeroU32::new(3).unwrap(),
            max_message_chars: 500,
        })
        .await;
        let (flasher, _) = fx.request(None);
        for n in 1..=5 {
            flasher.info(format!("n{n}")).await.unwrap();
        }
        let taken = flasher.take().await.unwrap();
        assert_eq!(
            texts(&taken),
            [("info", "n3"), ("info", "n4"), ("info", "n5")]
        );
    }

    #[tokio::test]
    async fn a_long_message_is_cut_at_a_character_boundary() {
        let fx = fixture(FlashLimits {
            max_per_session: NonZeroU32::new(20).unwrap(),
            max_message_chars: 20,
        })
        .await;
        let (flasher, _) = fx.request(None);
        flasher.error("数据库连接失败".repeat(10)).await.unwrap();
        flasher.error("short").await.unwrap();
        let taken = flasher.take().await.unwrap();
        assert_eq!(taken[0].message.chars().count(), 20);
        assert!(taken[0].message.ends_with('…'));
        assert!(taken[0].message.starts_with("数据库连接失败"));
        assert_eq!(taken[1].message, "short");
    }

    #[tokio::test]
    async fn a_stale_concurrent_save_does_not_lose_a_flash() {
        let fx = fixture(FlashLimits::default()).await;
        // The browser has a session with some data.
        let (first, session) = fx.request(None);
        session.insert("theme", "dark").await.unwrap();
        first.info("earlier").await.unwrap();
        let id = session.id().unwrap();
        assert_eq!(first.take().await.unwrap().len(), 1);

        // Two requests of that browser run at once; both load the session.
        let (_, slow) = fx.request(Some(id));
        let (fast_flasher, fast) = fx.request(Some(id));
        assert_eq!(
            slow.get::<String>("theme").await.unwrap().as_deref(),
            Some("dark")
        );
        assert_eq!(
            fast.get::<String>("theme").await.unwrap().as_deref(),
            Some("dark")
        );

        // The fast one pushes a flash and saves; the slow one, holding the stale copy, changes
        // something else and saves last (the store's last-writer-wins).
        fast_flasher.success("Saved!").await.unwrap();
        fast.save().await.unwrap();
        slow.insert("theme", "light").await.unwrap();
        slow.save().await.unwrap();

        // The next page still gets the flash, exactly once.
        let (next, next_session) = fx.request(Some(id));
        assert_eq!(texts(&next.take().await.unwrap()), [("success", "Saved!")]);
        assert_eq!(
            next_session
                .get::<String>("theme")
                .await
                .unwrap()
                .as_deref(),
            Some("light")
        );
        let (again, _) = fx.request(Some(id));
        assert!(again.take().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn two_racing_pages_never_both_show_a_flash() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, session) = fx.request(None);
        for n in 0..10 {
            flasher.info(format!("n{n}")).await.unwrap();
        }
        let id = session.id().unwrap();
        let (a, _) = fx.request(Some(id));
        let (b, _) = fx.request(Some(id));
        let (ta, tb) = tokio::join!(a.take(), b.take());
        let (ta, tb) = (ta.unwrap(), tb.unwrap());
        assert_eq!(ta.len() + tb.len(), 10);
        assert!(ta.iter().all(|x| tb.iter().all(|y| x.id != y.id)));
    }

    #[tokio::test]
    async fn a_flash_for_a_session_deleted_meanwhile_is_dropped_quietly() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, session) = fx.request(None);
        flasher.info("first").await.unwrap();
        let id = session.id().unwrap();
        let (slow, slow_session) = fx.request(Some(id));
        slow_session.get_value("anything").await.unwrap(); // loaded while the session lived
        fx.sessions.delete(&id).await.unwrap(); // log-out in another tab
        slow.success("too late").await.unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM flash")
            .fetch_one(fx.store.db.sqlite_pool().unwrap())
            .await
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[tokio::test]
    async fn deleting_the_session_deletes_its_flashes() {
        let fx = fixture(FlashLimits::default()).await;
        let (flasher, session) = fx.request(None);
        flasher.warning("gone with the session").await.unwrap();
        let id = session.id().unwrap();
        fx.sessions.delete(&id).await.unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM flash")
            .fetch_one(fx.store.db.sqlite_pool().unwrap())
            .await
            .unwrap();
        assert_eq!(rows, 0);
    }
}
