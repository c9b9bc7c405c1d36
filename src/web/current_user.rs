//! Who the request's user is ([`find_user`]), looked up once per request however many times
//! its server functions ask ([`RequestMemo`], used by `RequestContext::user`); a page render
//! gets the user from `web::page_facts` instead.

use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use tower_sessions::Session;

use super::state::AppState;
use crate::{
    auth::User,
    db::users,
    session::{self, Login},
};

/// What one request looks up once, however many times its server functions ask (a page render
/// gets the user from `web::page_facts` instead). Put in the Leptos context per request (see
/// `server::render::leptos_context`).
#[derive(Clone, Default)]
pub struct RequestMemo {
    /// Replaced by a fresh cell when the session's log-in changes.
    user: Arc<Mutex<UserCell>>,
}

type UserCell = Arc<OnceCell<Option<(User, Login)>>>;

impl RequestMemo {
    pub(super) fn user_cell(&self) -> UserCell {
        self.user.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the user: the session's log-in changed.
    pub(super) fn forget_user(&self) {
        *self.user.lock().unwrap_or_else(|e| e.into_inner()) = Arc::default();
    }
}

/// The user `session` is logged in as, with the log-in's facts: known from the session's load
/// when the row was this user's already, else asked of the database.
pub async fn find_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<(User, Login)>, LookupError> {
    let Some(login) = session::login(session).await? else {
        return Ok(None);
    };
    if let Some(username) = session::loaded::username(session, login.user_id).await {
        let user = User {
            id: login.user_id,
            username,
        };
        return Ok(Some((user, login)));
    }
    let username = users::name_of(&state.db, login.user_id).await?;
    Ok(username.map(|username| {
        let user = User {
            id: login.user_id,
            username,
        };
        (user, login)
    }))
}

/// Why the user could not be looked up.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("session: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}
