//! What the account holder changes on `/account`: their password, or the account itself (deleted).
//! Both ask for the current password again, counted by the log-in throttle as a log-in would
//! be (a stolen session cannot guess the password any faster than the log-in form can), and
//! both tell the outcome with a flash.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth::events, db::users, text::Msg, web::context::RequestContext};

/// Changes the logged-in user's password. Endpoint: `POST /api/change_password`
/// (`current_password`, `new_password`).
///
/// The new password follows the registration rules. On success every other session of the
/// user ends (their cookies stop working), this session gets a new id, and a `success` flash
/// says how many other devices were signed out. Failures are field flashes
/// (`error_current_password`, `error_new_password`) and back to `/account`.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::{auth::form::password_problem, web::redirect::see_other};

    let Some((cx, user_id)) = logged_in().await? else {
        return Ok(());
    };
    // Every problem at once, as registration does; the current password is checked (and a
    // hash spent) only for a new password that would be accepted.
    let mut problems = Vec::new();
    if current_password.is_empty() {
        problems.push(("error_current_password", Msg::AccountCurrentPasswordMissing));
    }
    if let Some(problem) = password_problem(&new_password) {
        problems.push(("error_new_password", problem));
    }
    if !problems.is_empty() {
        cx.flash_all(&problems).await?;
        see_other(BACK);
        return Ok(());
    }
    let confirm = Confirm {
        field: "error_current_password",
        wrong: Msg::AccountCurrentPasswordWrong,
    };
    let Some(user) = confirm.check(&cx, user_id, current_password).await? else {
        return Ok(());
    };
    let state = &cx.state;
    let hash = state
        .passwords
        .hash(new_password)
        .await
        .map_err(cx.internal())?;
    // This session's new id first: should that fail, nothing has changed yet.
    cx.renew_session_id().await?;
    // Then one transaction: the new password, the reset links voided, every other session
    // ended (all of it, or none of it).
    let current = cx.session.id().map(|id| id.to_string());
    let ended = users::change_password(&state.db, user.id, &hash, current.as_deref(), None)
        .await
        .map_err(cx.internal())?
        .unwrap_or_default();
    tracing::info!(user_id = user.id, ended, "password changed");
    cx.auth_event(
        events::Kind::PasswordChanged,
        Some(user.id),
        Some(&user.username),
    )
    .await;
    cx.flash_done(&[("success", Msg::PasswordChanged { n: ended })])
        .await;
    see_other(BACK);
    Ok(())
}

/// Deletes the logged-in user's account. Endpoint: `POST /api/delete_account` (`password`).
///
/// With the right password: the user, every session of theirs (with the flashes waiting in
/// them) and their throttle places go, their auth events stay without their name, and an
/// `info` flash waits on `/login` (in the visitor cookie, as after a log-out). Otherwise an
/// `error_password` flash and back to `/account`.
#[server(endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    use crate::web::redirect::see_other;

    let Some((cx, user_id)) = logged_in().await? else {
        return Ok(());
    };
    if password.is_empty() {
        cx.flash_all(&[("error_password", Msg::AccountDeletePasswordMissing)])
            .await?;
        see_other(BACK);
        return Ok(());
    }
    let confirm = Confirm {
        field: "error_password",
        wrong: Msg::AccountDeletePasswordWrong,
    };
    let Some(user) = confirm.check(&cx, user_id, password).await? else {
        return Ok(());
    };
    let email_key = crate::auth::form::username_key(&user.email);
    users::delete(&cx.state.db, user.id, &user.username_key, &email_key)
        .await
        .map_err(cx.internal())?;
    tracing::info!(user_id = user.id, "account deleted");
    // The record went with the user; this forgets it here too (and the id with it).
    cx.end_session_keeping_preferences().await?;
    cx.auth_event(events::Kind::AccountDeleted, None, None)
        .await;
    cx.flash_done(&[("info", Msg::AccountDeleted)]).await;
    see_other("/login");
    Ok(())
}

/// Where the account page's forms come back to.
#[cfg(feature = "ssr")]
const BACK: &str = "/account";

/// The call and its user id; or, for an anonymous visitor, a `warning` flash, a redirect to
/// `/login?next=/account`, and `None`.
#[cfg(feature = "ssr")]
async fn logged_in() -> Result<Option<(RequestContext, i64)>, AppError> {
    let cx = RequestContext::current().await?;
    match crate::session::login(&cx.session)
        .await
        .map_err(cx.internal())?
    {
        Some(login) => Ok(Some((cx, login.user_id))),
        None => {
            cx.send_to_login(BACK).await?;
            Ok(None)
        }
    }
}

/// Asking the logged-in user for their password again: which field's flash says it is wrong.
#[cfg(feature = "ssr")]
struct Confirm {
    field: &'static str,
    wrong: Msg,
}

#[cfg(feature = "ssr")]
impl Confirm {
    /// The user, when `password` is theirs. Otherwise the flash has been pushed (wrong, or
    /// throttled: the attempt is counted as a failed log-in of the account, and refused while
    /// the account's log-ins would be) and the answer redirected, and `None`.
    async fn check(
        self,
        cx: &RequestContext,
        user_id: i64,
        password: String,
    ) -> Result<Option<users::StoredUser>, AppError> {
        use crate::auth::{form::PASSWORD_CHARS, password::Verdict, throttle};
        use crate::web::redirect::see_other;

        let state = &cx.state;
        let Some(user) = users::by_id(&state.db, user_id)
            .await
            .map_err(cx.internal())?
        else {
            // Deleted meanwhile (from another device, or by the operator).
            cx.end_session_keeping_preferences().await?;
            cx.send_to_login(BACK).await?;
            return Ok(None);
        };
        let now = state.lifetimes.now_unix();
        let attempt = match throttle::admit(&state.db, &user.username_key, None, now)
            .await
            .map_err(cx.internal())?
        {
            Ok((attempt, _)) => attempt,
            Err(seconds) => {
                let seconds = u64::try_from(seconds).unwrap_or(1);
                cx.auth_event(events::Kind::Throttled, Some(user.id), Some(&user.username))
                    .await;
                metrics::counter!("flashboard_throttled_total", "endpoint" => "password confirmation")
                    .increment(1);
                cx.flash_all(&[("warning", Msg::Throttled { seconds })])
                    .await?;
                see_other(BACK);
                return Ok(None);
            }
        };
        let verdict = if PASSWORD_CHARS.contains(&password.chars().count()) {
            state
                .passwords
                .verify(password, Some(user.password_hash.clone()))
                .await
                .map_err(cx.internal())?
        } else {
            Verdict::Rejected
        };
        if matches!(verdict, Verdict::Accepted | Verdict::AcceptedNeedsRehash) {
            release(cx, attempt).await;
            return Ok(Some(user));
        }
        // Counted before the place is given back, as a failed log-in is.
        let counted = cx
            .required_auth_event(
                events::Kind::LoginFailed,
                Some(user.id),
                Some(&user.username),
            )
            .await;
        release(cx, attempt).await;
        counted?;
        cx.flash_all(&[(self.field, self.wrong)]).await?;
        see_other(BACK);
        Ok(None)
    }
}

/// Gives back a throttle place (a failure to is logged: the place goes stale by itself).
#[cfg(feature = "ssr")]
async fn release(cx: &RequestContext, attempt: crate::auth::throttle::Attempt) {
    if let Err(err) = attempt.end().await {
        cx.state
            .db_health
            .failed("give back a password confirmation's place", &err);
    }
}
