//! Taking the flashes out of the session's queue, for the page that shows them: each is taken
//! once, whichever request asks first.

use super::{
    Flash,
    request::PushedHere,
    store::{FlashError, Flasher, SESSION_KEY},
};
use crate::{
    db,
    session::visitor::Visitor,
    text::{Lang, Msg},
};

impl Flasher {
    /// Returns the waiting flashes, oldest first, and removes them: each one is returned once,
    /// whichever request asks first. A browser without a session gets none, and when none are
    /// waiting nothing is written (a read does not take SQLite's write lock; the `DELETE` does).
    pub async fn take(&self) -> Result<Vec<Flash>, FlashError> {
        self.take_waiting().await.map(counted)
    }

    async fn take_waiting(&self) -> Result<Vec<Flash>, FlashError> {
        let mut taken = self.take_from_cookie();
        let Some(id) = self.stored_session_id().await? else {
            return Ok(taken);
        };
        if !db::flashes::any_waiting(&self.store.db, &id).await? {
            return Ok(taken);
        }
        taken.extend(self.delete_returning(id).await?);
        Ok(taken)
    }

    /// [`Flasher::take`] for a page view: whether any wait is what the store found when it
    /// loaded the session ([`crate::session::loaded`]) or a push of this very request, so a
    /// page with none asks the database nothing. A flash pushed by another request since the
    /// load is left for the next page.
    pub async fn take_for_page(&self) -> Result<Vec<Flash>, FlashError> {
        self.take_waiting_for_page().await.map(counted)
    }

    async fn take_waiting_for_page(&self) -> Result<Vec<Flash>, FlashError> {
        let mut taken = self.take_from_cookie();
        let Some(id) = self.stored_session_id().await? else {
            return Ok(taken);
        };
        if !PushedHere::happened() && !crate::session::loaded::flash_waiting(&self.session).await {
            return Ok(taken);
        }
        taken.extend(self.delete_returning(id).await?);
        Ok(taken)
    }

    /// The flashes waiting in the visitor cookie, taken (older than any in the database).
    fn take_from_cookie(&self) -> Vec<Flash> {
        let lang = Lang::current();
        self.visitor
            .as_ref()
            .map(Visitor::take_flashes)
            .unwrap_or_default()
            .into_iter()
            .map(|(id, category, message, msg)| Flash {
                id,
                category,
                message: in_language(message, msg.as_deref(), lang),
            })
            .collect()
    }

    /// The id of the session if the store has it (an id from a cookie that names no live
    /// session is dropped by loading the record).
    async fn stored_session_id(&self) -> Result<Option<String>, FlashError> {
        if self.session.get_value(SESSION_KEY).await?.is_none() {
            return Ok(None);
        }
        Ok(self.session.id().map(|id| id.to_string()))
    }

    /// Deletes the session's flashes and returns them, oldest first.
    async fn delete_returning(&self, id: String) -> Result<Vec<Flash>, FlashError> {
        let rows = db::flashes::take(&self.store.db, &id).await?;
        let lang = Lang::current();
        Ok(rows
            .into_iter()
            .map(|(id, category, message, msg)| Flash {
                id,
                category,
                message: in_language(message, msg.as_deref(), lang),
            })
            .collect())
    }
}

/// `taken`, counted as shown (`flashboard_flashes_shown_total`).
fn counted(taken: Vec<Flash>) -> Vec<Flash> {
    if !taken.is_empty() {
        metrics::counter!("flashboard_flashes_shown_total").increment(taken.len() as u64);
    }
    taken
}

/// A stored flash's words in `lang`: its catalogue message's when it has one this version knows,
/// else the words stored with it.
fn in_language(message: String, msg: Option<&str>, lang: Lang) -> String {
    match msg.map(serde_json::from_str::<Msg>) {
        Some(Ok(msg)) => msg.render(lang),
        Some(Err(err)) => {
            tracing::debug!(error = %err, "flash message unknown to this version: shown as stored");
            message
        }
        None => message,
    }
}
