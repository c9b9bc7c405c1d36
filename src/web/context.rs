//! [`RequestContext`]: what a server function needs from the request it serves, in one place.

use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::{use_context, with_context};
use leptos_axum::ResponseOptions;
use tower_sessions::{Expiry, Session};

use super::{
    current_user::{RequestMemo, find_user},
    state::AppState,
    unavailable,
};
use crate::{
    auth::{User, events},
    error::AppError,
    flash::{Flasher, session_from_context},
    session::{
        self, LOGIN_KEY, Login,
        lifetime::{META_KEY, Meta},
        visitor::Visitor,
    },
    text::{Message, Msg},
};

/// The current server-function call (or server render): app state, session, flashes.
pub struct RequestContext {
    pub state: AppState,
    pub session: Session,
    /// The visitor cookie (see [`session::visitor`]).
    pub visitor: Option<Visitor>,
    pub flasher: Flasher,
    pub(super) memo: RequestMemo,
}

impl RequestContext {
    /// Gathers them from the Leptos context and the request.
    ///
    /// Fails (rather than panics) outside a request: `generate_route_list` renders the app once
    /// at start-up, without a request, and the resources it creates may start their fetch.
    pub async fn current() -> Result<Self, AppError> {
        let Some(state) = use_context::<AppState>() else {
            // Not a request: the route listing's render at start-up (nothing to log).
            return Err(AppError::Internal);
        };
        let session = session_from_context()
            .ok_or_else(|| AppError::internal("no session: is the session layer installed?"))?;
        let visitor = Visitor::from_context();
        let flasher = Flasher::new(state.flash.clone(), session.clone()).visiting(visitor.clone());
        Ok(Self {
            state,
            session,
            visitor,
            flasher,
            memo: use_context::<RequestMemo>().unwrap_or_default(),
        })
    }

    /// Maps an unexpected failure to an error answer: `503` with `Retry-After` when the
    /// database cannot be used right now (see [`crate::db_health`]), else `500`. The cause is
    /// logged (see [`crate::db_health::DbHealth::failed`]) and not sent. (Expected failures
    /// are flashes and redirects, never this.)
    pub fn internal<E: std::error::Error + 'static>(&self) -> impl FnOnce(E) -> AppError + use<E> {
        let health = self.state.db_health.clone();
        move |err| {
            let error = match health.failed("answer a server function", &err) {
                Some(_) => AppError::Unavailable,
                None => AppError::Internal,
            };
            if let Some(response) = use_context::<ResponseOptions>() {
                if let Ok(status) = StatusCode::from_u16(error.status()) {
                    response.set_status(status);
                }
                if error == AppError::Unavailable {
                    response.insert_header(
                        header::RETRY_AFTER,
                        HeaderValue::from(unavailable::RETRY_AFTER.as_secs()),
                    );
                }
            }
            error
        }
    }

    /// The client's IP address (see [`super::client_ip`]).
    pub fn client_ip(&self) -> std::net::IpAddr {
        with_context::<Parts, _>(|parts| {
            super::client_ip::client_ip(parts, &self.state.trusted_proxies)
        })
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    /// Appends to the auth event log; a failure to write it is logged, never shown. Skipped
    /// while writes are failing for the database ([`crate::db_health::DbHealth::failing`]):
    /// the request would only wait for the failure.
    pub async fn auth_event(
        &self,
        kind: events::Kind,
        user_id: Option<i64>,
        username: Option<&str>,
    ) {
        if let Some(reason) = self.state.db_health.failing() {
            tracing::debug!(%reason, ?kind, "auth event not recorded: the database is down");
            return;
        }
        if let Err(err) = self.record_event(kind, user_id, username).await {
            self.state.db_health.failed("record an auth event", &err);
        }
    }

    /// Appends to the auth event log an entry the request cannot do without (a failed
    /// log-in's, which throttles the account): when it cannot be written, the request fails
    /// (`503` while the database is unavailable).
    pub async fn required_auth_event(
        &self,
        kind: events::Kind,
        user_id: Option<i64>,
        username: Option<&str>,
    ) -> Result<(), AppError> {
        self.record_event(kind, user_id, username)
            .await
            .map_err(self.internal())
    }

    async fn record_event(
        &self,
        kind: events::Kind,
        user_id: Option<i64>,
        username: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let device = with_context::<Parts, _>(|parts| {
            parts
                .extensions
                .get::<crate::auth::device::TrustedDevice>()
                .cloned()
        })
        .flatten();
        let event = events::Event {
            kind,
            user_id,
            username,
            ip: self.client_ip(),
            device: device.as_ref().map(|device| device.0.as_str()),
        };
        let now = self.state.lifetimes.now_unix();
        events::record(&self.state.db, event, now).await
    }

    /// Pushes each `(category, message)`; a failure fails the request (see [`RequestContext::internal`]).
    pub async fn flash_all(&self, flashes: &[(&str, Msg)]) -> Result<(), AppError> {
        self.flasher
            .push_all(&said(flashes))
            .await
            .map_err(self.internal())
    }

    /// Pushes the news of a change that is already stored (an account created, a log-in, a
    /// device signed out): a failure to push it is logged, and the request still succeeds, as
    /// it did: answering `503` "nothing was changed" would be untrue.
    pub async fn flash_done(&self, flashes: &[(&str, Msg)]) {
        if let Err(err) = self.flasher.push_all(&said(flashes)).await {
            self.state
                .db_health
                .failed("flash the outcome of a stored change", &err);
        }
    }

    /// Keeps form input for the page the failed post redirects back to (see
    /// [`session::keep_form_input`]). Only for plain form posts: with JavaScript the form never
    /// left the page, so its fields still hold what was typed.
    pub async fn keep_form_input(&self, fields: &[(&str, &str)]) -> Result<(), AppError> {
        if !super::redirect::is_form_post() {
            return Ok(());
        }
        session::keep_form_input(&self.session, self.visitor.as_ref(), fields)
            .await
            .map_err(self.internal())
    }

    /// Logs `user_id` in to this session.
    ///
    /// The session gets a new id, so an id an attacker planted before the log-in is worth
    /// nothing after it (session fixation). Flashes still waiting are carried over to the new
    /// id, and the old record deleted, in one transaction at the end
    /// ([`session::finish_cycle`]): if anything fails before, the old session is left as it
    /// was, its flashes still waiting.
    pub async fn start_login(&self, user_id: i64, remember: bool) -> Result<(), AppError> {
        let cycled = session::cycle_id_keeping_rows(&self.session)
            .await
            .map_err(self.internal())?;
        self.memo.forget_user();
        let login = Login {
            user_id,
            logged_in_at: self.state.lifetimes.now_unix(),
            remember,
        };
        self.session
            .insert(LOGIN_KEY, login)
            .await
            .map_err(self.internal())?;
        // A log-in starts the session's clocks over (the absolute timeout counts from here).
        let user_agent = with_context::<Parts, _>(|parts| {
            parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        })
        .flatten();
        let mut meta = Meta::new(login.logged_in_at, user_agent.as_deref());
        if remember {
            let lifetimes = &self.state.lifetimes;
            let until = lifetimes.clock.now().saturating_add(lifetimes.remember);
            meta.remembered_until = Some(until.unix_timestamp());
            self.session.set_expiry(Some(Expiry::AtDateTime(until)));
        }
        self.session
            .insert(META_KEY, meta)
            .await
            .map_err(self.internal())?;
        // Stored with the record, so the welcome pushed after it changes nothing to save.
        self.flasher
            .expect_pushes()
            .await
            .map_err(self.internal())?;
        session::finish_cycle(&self.state.db, &self.state.db_health, &self.session, cycled)
            .await
            .map_err(self.internal())
    }

    /// Gives this session a new id, keeping what it holds and the flashes waiting in it (as
    /// [`RequestContext::start_login`] does): after a change of password, a session id that
    /// was seen before it is worth nothing.
    pub async fn renew_session_id(&self) -> Result<(), AppError> {
        let cycled = session::cycle_id_keeping_rows(&self.session)
            .await
            .map_err(self.internal())?;
        // Stored with the record, so a flash pushed after it changes nothing to save.
        self.flasher
            .expect_pushes()
            .await
            .map_err(self.internal())?;
        session::finish_cycle(&self.state.db, &self.state.db_health, &self.session, cycled)
            .await
            .map_err(self.internal())
    }

    /// Gives this browser a device cookie for the account `username_key` (see
    /// [`crate::auth::device`]): its later log-ins to the account are throttled only by its
    /// own failures.
    pub fn trust_device(&self, username_key: &str) {
        let state = &self.state;
        let now = state.lifetimes.now_unix();
        let cookie =
            crate::auth::device::issue(&state.cookies, &state.cookie_keys, username_key, now);
        match (
            use_context::<ResponseOptions>(),
            axum::http::HeaderValue::from_str(&cookie),
        ) {
            (Some(response), Ok(value)) => {
                response.append_header(axum::http::header::SET_COOKIE, value);
            }
            _ => tracing::warn!("could not set the device cookie"),
        }
    }

    /// Ends this session: the record (with its flashes) is deleted, so the cookie is dead even
    /// if replayed. What is pushed afterwards waits in the visitor cookie
    /// ([`session::visitor`]).
    pub async fn end_session(&self) -> Result<(), AppError> {
        self.session.flush().await.map_err(self.internal())?;
        self.memo.forget_user();
        // `flush` keeps the old id in the in-memory record, and a later save would create the
        // new session under it, bringing the old cookie back to life. A fresh id prevents that.
        // (Without the store's delete of the old record, which `flush` did: so the log-out's
        // one write is that delete, and once it is done, the log-out is.)
        let already_deleted = session::cycle_id_keeping_rows(&self.session)
            .await
            .map_err(self.internal())?;
        drop(already_deleted);
        Ok(())
    }

    /// [`RequestContext::end_session`], with the session's preferences (language, theme) kept
    /// in the visitor cookie: they belong to the browser, and outlive the session (a log-out,
    /// a deleted account, a password reset from this browser).
    pub async fn end_session_keeping_preferences(&self) -> Result<(), AppError> {
        let preferences = crate::preferences::saved(&self.session, self.visitor.as_ref())
            .await
            .ok()
            .flatten();
        self.end_session().await?;
        if let (Some(preferences), Some(visitor)) = (preferences, &self.visitor) {
            visitor.insert(crate::preferences::PREFERENCES_KEY, &preferences);
        }
        Ok(())
    }

    /// For a server function that needs a user, called by an anonymous one: a `warning` flash
    /// and a redirect to `/login?next=<back>` (the guard does the same for page loads).
    pub async fn send_to_login(&self, back: &str) -> Result<(), AppError> {
        self.flash_all(&[("warning", Msg::LoginFirst)]).await?;
        super::redirect::see_other(&format!("/login?next={back}"));
        Ok(())
    }

    /// The logged-in user and their log-in facts (looked up once per request).
    pub async fn user_and_login(&self) -> Result<Option<(User, Login)>, AppError> {
        let cell = self.memo.user_cell();
        let found = cell
            .get_or_try_init(|| find_user(&self.state, &self.session))
            .await
            .map_err(self.internal())?;
        Ok(found.clone())
    }

    /// The logged-in user.
    pub async fn user(&self) -> Result<Option<User>, AppError> {
        Ok(self.user_and_login().await?.map(|(user, _)| user))
    }
}

/// Catalogue messages as flash messages.
fn said<'a>(flashes: &[(&'a str, Msg)]) -> Vec<(&'a str, Message)> {
    flashes
        .iter()
        .map(|(category, msg)| (*category, Message::Said(msg.clone())))
        .collect()
}
