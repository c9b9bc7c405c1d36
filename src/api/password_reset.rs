//! A forgotten password: asking for a reset link by mail, and setting a new password with it.
//!
//! Asking always gets the same answer, after the same work, whether or not the name or address
//! belongs to an account: the look-up, the link and the mail happen after the answer, in the
//! background (`mail::Mailer::in_background`), so neither the words nor the time tell which
//! accounts exist; a mail that cannot be sent is logged, and the answer is still the same. The
//! rules of the links (random, stored hashed, 30 minutes, once) are `auth::reset`'s.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth::events, text::Msg, web::context::RequestContext};

/// Asks for a reset link. Endpoint: `POST /api/forgot_password` (`login`: a user name or an
/// e-mail address).
///
/// Always an `info` flash saying that a link was sent if the name or address is an account's,
/// and off to `/login`; an empty field gets an `error_login` flash and back. Throttled per
/// client address (`web::throttle`) and per name or address typed (`auth::reset`).
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(login: String) -> Result<(), AppError> {
    use crate::{
        auth::{form::username_key, reset},
        text::Lang,
        web::redirect::see_other,
    };

    const BACK: &str = "/password/forgot";
    let cx = RequestContext::current().await?;
    let typed = login.trim();
    if typed.is_empty() {
        cx.flash_all(&[("error_login", Msg::ForgotMissing)]).await?;
        see_other(BACK);
        return Ok(());
    }
    // No name or address is longer (a longer one is cut, as the event log cuts names), nor
    // holds a control character (dropped: PostgreSQL refuses a NUL in text).
    let typed: String = typed
        .chars()
        .filter(|c| !c.is_control())
        .take(crate::auth::form::EMAIL_MAX)
        .collect();
    let key = username_key(&typed);
    let state = &cx.state;
    let now = state.lifetimes.now_unix();
    if let Err(seconds) = reset::admit_request(&state.db, &key, now)
        .await
        .map_err(cx.internal())?
    {
        let seconds = u64::try_from(seconds).unwrap_or(1);
        cx.flash_all(&[("warning", Msg::Throttled { seconds })])
            .await?;
        cx.keep_form_input(&[("login", &typed)]).await?;
        see_other(BACK);
        return Ok(());
    }
    // Counted before anything else: the per-name limit reads these.
    cx.required_auth_event(events::Kind::ResetRequested, None, Some(&typed))
        .await?;
    let job = send_links(
        cx.state.clone(),
        key,
        typed,
        Lang::current(),
        cx.client_ip(),
        now,
    );
    state.mailer.in_background("password reset link", job);
    let minutes = u64::try_from(reset::LINK_LIFETIME_SECS / 60).unwrap_or_default();
    cx.flash_done(&[("info", Msg::ForgotSent { minutes })])
        .await;
    see_other("/login");
    Ok(())
}

/// The background half of [`forgot_password`]: a link and a mail for each account whose name
/// has the key `key` or whose address is `typed`.
#[cfg(feature = "ssr")]
async fn send_links(
    state: crate::web::state::AppState,
    key: String,
    typed: String,
    lang: crate::text::Lang,
    ip: std::net::IpAddr,
    now: i64,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use crate::{
        auth::{events, reset},
        db::users,
        mail::Mail,
        text::{fill, t},
    };

    let text = t(lang);
    for user in users::by_name_or_email(&state.db, &key, &typed).await? {
        if !reset::may_mail(&state.db, &user.email, now).await? {
            tracing::warn!(
                user_id = user.id,
                "reset mail not sent: its address had enough this hour"
            );
            continue;
        }
        let mailed = events::Event {
            kind: events::Kind::ResetMailed,
            user_id: Some(user.id),
            username: Some(&user.email),
            ip,
            device: None,
        };
        events::record(&state.db, mailed, now).await?;
        let token = reset::issue(&state.db, user.id, now).await?;
        let link = state.mailer.link(&format!("/password/reset?token={token}"));
        let minutes = (reset::LINK_LIFETIME_SECS / 60).to_string();
        let mail = Mail {
            to: user.email,
            subject: text.mail_reset_subject.to_owned(),
            text: fill(
                text.mail_reset_text,
                &[
                    ("name", &user.username),
                    ("link", &link),
                    ("minutes", &minutes),
                ],
            ),
        };
        state.mailer.send(mail).await?;
        tracing::info!(user_id = user.id, "password reset link sent");
    }
    Ok(())
}

/// Sets a new password with a reset link. Endpoint: `POST /api/reset_password` (`token`: from
/// the link, `new_password`).
///
/// A link that does not work (never issued, used, expired, replaced by a newer one, or voided
/// by a change of password) gets one `error` flash, the same for each, and off to
/// `/password/forgot`; a new password against the rules gets an `error_new_password` flash and
/// back to the link. Success: the password changes, the link and every other link of the user
/// are used up, every session of the user ends, nobody is logged in, and a `success` flash
/// waits on `/login`.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use crate::{
        auth::{form::password_problem, reset},
        db::users,
        web::redirect::see_other,
    };

    let cx = RequestContext::current().await?;
    let state = &cx.state;
    let token = token.trim();
    let now = state.lifetimes.now_unix();
    // Checked without using it up, and before a hash is spent on it.
    let Some(user_id) = reset::check(&state.db, token, now)
        .await
        .map_err(cx.internal())?
    else {
        cx.flash_all(&[("error", Msg::ResetInvalid)]).await?;
        see_other("/password/forgot");
        return Ok(());
    };
    if let Some(problem) = password_problem(&new_password) {
        cx.flash_all(&[("error_new_password", problem)]).await?;
        // The token is 64 hex digits (checked): it needs no escaping.
        see_other(&format!("/password/reset?token={token}"));
        return Ok(());
    }
    let hash = state
        .passwords
        .hash(new_password)
        .await
        .map_err(cx.internal())?;
    // Whether this browser is logged in as the user (read before their sessions go, with the
    // preferences the session holds).
    let mine = crate::session::login(&cx.session)
        .await
        .map_err(cx.internal())?
        .is_some_and(|login| login.user_id == user_id);
    // One transaction: the link used up (of two requests with one link, one gets past this),
    // the new password, every other link of the user voided, every session of theirs ended
    // (all of it, or none of it).
    let link = reset::link_hash(token);
    let Some(ended) = users::change_password(&state.db, user_id, &hash, None, Some((&link, now)))
        .await
        .map_err(cx.internal())?
    else {
        cx.flash_all(&[("error", Msg::ResetInvalid)]).await?;
        see_other("/password/forgot");
        return Ok(());
    };
    // This browser's session went with the rest: forgotten here too, its preferences kept in
    // the visitor cookie, where the flash then waits (as after a log-out).
    if mine {
        cx.end_session_keeping_preferences().await?;
    }
    tracing::info!(user_id, ended, "password reset with a link");
    let name = users::name_of(&state.db, user_id).await.ok().flatten();
    cx.auth_event(events::Kind::PasswordReset, Some(user_id), name.as_deref())
        .await;
    cx.flash_done(&[("success", Msg::ResetDone)]).await;
    see_other("/login");
    Ok(())
}
