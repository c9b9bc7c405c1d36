//! Registration, log-in and log-out as server functions, every outcome told by a flash.
//!
//! Each answers a form post with `303 See Other` and a call from leptos' server-function client
//! with its redirect header; validation failures are flashes and a redirect
//! back, never an error status, so the flashes always arrive. The rules (what a valid name is,
//! how a password is checked, what is throttled) are `auth`'s; these functions tell the outcome.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth::events, db::users, text::Msg};

/// Creates an account. Endpoint: `POST /api/register` (`username`, `email`, `password`).
///
/// Success: `success` flash and off to `/login`. Failure: field-scoped flashes
/// (`error_username`, `error_email`, `error_password`) and back to `/register` with the name and
/// e-mail kept. A password without an upper-case letter gets an `info_password` hint either way.
#[server(endpoint = "register")]
pub async fn register(username: String, email: String, password: String) -> Result<(), AppError> {
    use crate::auth::form::{password_hint, validate_registration};
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    let hint = password_hint(&password);
    let user = match validate_registration(&username, &email, &password) {
        Ok(user) => user,
        Err(problems) => {
            let mut flashes = problems;
            flashes.extend(hint);
            cx.flash_all(&flashes).await?;
            cx.keep_form_input(&[("username", &username), ("email", &email)])
                .await?;
            see_other("/register");
            return Ok(());
        }
    };
    let state = &cx.state;
    // A cheap look first, so a taken name costs no hash; the unique index still decides.
    let id = if users::name_taken(&state.db, &user.username_key)
        .await
        .map_err(cx.internal())?
    {
        None
    } else {
        let hash = state
            .passwords
            .hash(password)
            .await
            .map_err(cx.internal())?;
        let row = users::NewUser {
            username: &user.username,
            username_key: &user.username_key,
            email: &user.email,
            password_hash: &hash,
        };
        users::insert(&state.db, row).await.map_err(cx.internal())?
    };
    match id {
        Some(id) => {
            cx.auth_event(events::Kind::Register, Some(id), Some(&user.username))
                .await;
            let mut flashes = vec![("success", Msg::RegisterDone)];
            flashes.extend(hint);
            cx.flash_done(&flashes).await;
            see_other("/login");
        }
        None => {
            cx.flash_all(&[("error_username", Msg::RegisterUsernameTaken)])
                .await?;
            cx.keep_form_input(&[("username", &username), ("email", &email)])
                .await?;
            see_other("/register");
        }
    }
    Ok(())
}

/// Logs in. Endpoint: `POST /api/login` (`username`, `password`, optional `remember`, optional
/// `next`).
///
/// An unknown user and a wrong password get the same message after the same work (one hash
/// either way). Success cycles the session id, keeps only the user id and log-in facts in the
/// session, flashes a welcome and goes to `next` if it is a local path, else `/dashboard`.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    #[server(default)] remember: Option<String>,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::{
        form::{plausible_login, safe_next, urlencode, username_key},
        password::Verdict,
    };
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    let next = next.as_deref().and_then(safe_next);
    let back = match next {
        Some(next) => format!("/login?next={}", urlencode(next)),
        None => "/login".to_owned(),
    };
    if username.trim().is_empty() || password.is_empty() {
        cx.flash_all(&[("error", Msg::LoginMissing)]).await?;
        cx.keep_form_input(&[("username", &username)]).await?;
        see_other(&back);
        return Ok(());
    }
    let state = &cx.state;
    let (stored, verdict) = if plausible_login(&username, &password) {
        let stored = users::by_key(&state.db, &username_key(&username))
            .await
            .map_err(cx.internal())?;
        let verdict = state
            .passwords
            .verify(
                password.clone(),
                stored.as_ref().map(|user| user.password_hash.clone()),
            )
            .await
            .map_err(cx.internal())?;
        (stored, verdict)
    } else {
        (None, Verdict::Rejected)
    };
    let user = match (verdict, stored) {
        (Verdict::Accepted | Verdict::AcceptedNeedsRehash, Some(user)) => user,
        _ => {
            // The same words whether the name exists or not: no user enumeration. The event
            // (name and IP, never the password) also counts for the per-account throttling.
            // Not answered unless counted: a failure the throttle cannot see would be free.
            cx.required_auth_event(events::Kind::LoginFailed, None, Some(&username))
                .await?;
            metrics::counter!("flashboard_logins_total", "outcome" => "failure").increment(1);
            cx.flash_all(&[("error", Msg::LoginFailed)]).await?;
            cx.keep_form_input(&[("username", &username)]).await?;
            see_other(&back);
            return Ok(());
        }
    };
    if verdict == Verdict::AcceptedNeedsRehash {
        let hash = state
            .passwords
            .hash(password)
            .await
            .map_err(cx.internal())?;
        // Only over the hash that was verified: a password changed meanwhile stays changed.
        if users::rehash_password(&state.db, user.id, &user.password_hash, &hash)
            .await
            .map_err(cx.internal())?
        {
            tracing::info!(
                user_id = user.id,
                "password hash upgraded to the current parameters"
            );
        }
    }
    cx.start_login(user.id, remember.is_some()).await?;
    metrics::counter!("flashboard_logins_total", "outcome" => "success").increment(1);
    cx.trust_device(&username_key(&username));
    cx.auth_event(events::Kind::Login, Some(user.id), Some(&user.username))
        .await;
    // The log-in has happened (the old session id is gone): a failed welcome must not turn it
    // into an error answer, which would not send the new cookie.
    let welcome = Msg::LoginWelcome {
        name: user.username.clone(),
    };
    cx.flash_done(&[("success", welcome)]).await;
    see_other(next.unwrap_or("/dashboard"));
    Ok(())
}

/// Logs out. Endpoint: `POST /api/logout` (POST only, like every state change).
///
/// Deletes the session record (its cookie no longer works, even replayed); the `info` flash
/// "logged out" and the session's preferences (language, theme) go to the visitor cookie.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    let user = cx.user().await?;
    // The preferences (language, theme) outlive the session: the browser keeps them.
    cx.end_session_keeping_preferences().await?;
    // After the log-out (the write that matters): a database that refused it fails the request
    // before this best-effort entry would wait for it too.
    if let Some(user) = user {
        cx.auth_event(events::Kind::Logout, Some(user.id), Some(&user.username))
            .await;
    }
    cx.flash_done(&[("info", Msg::LogoutDone)]).await;
    see_other("/login");
    Ok(())
}
