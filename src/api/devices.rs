//! The dashboard's list of the user's devices (sessions), and signing them out: one at a time,
//! or all but this one. Signing out deletes the session record, so that device's cookie stops
//! working with its next request (see `session::user_sessions`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::session::devices::Device;
#[cfg(feature = "ssr")]
use crate::text::Msg;
#[cfg(feature = "ssr")]
use crate::web::context::RequestContext;

/// The logged-in user's live sessions, this one included (most recently used first). Empty for
/// an anonymous visitor.
#[server(endpoint = "devices")]
pub async fn devices() -> Result<Vec<Device>, AppError> {
    let cx = RequestContext::current().await?;
    let Some(login) = crate::session::login(&cx.session)
        .await
        .map_err(cx.internal())?
    else {
        return Ok(Vec::new());
    };
    crate::session::devices::ssr::list(
        &cx.state.db,
        &cx.session,
        login.user_id,
        cx.state.lifetimes.now_unix(),
        crate::text::Lang::current(),
    )
    .await
    .map_err(cx.internal())
}

/// Signs out one other session of the user. Endpoint: `POST /api/sign_out_device` (`device`:
/// the handle from the list). Flashes what happened and goes back to the dashboard.
#[server(endpoint = "sign_out_device")]
pub async fn sign_out_device(device: String) -> Result<(), AppError> {
    use crate::web::redirect::see_other;

    let Some((cx, user_id, current)) = logged_in().await? else {
        return Ok(());
    };
    let now = cx.state.lifetimes.now_unix();
    let ended = crate::session::user_sessions::sign_out(
        &cx.state.db,
        user_id,
        device.trim(),
        &current,
        now,
    )
    .await
    .map_err(cx.internal())?;
    if ended {
        tracing::info!(user_id, "signed out one other device");
        cx.flash_done(&[("success", Msg::DevicesSignedOutOne)])
            .await;
    } else {
        cx.flash_all(&[("info", Msg::DevicesNotFound)]).await?;
    }
    see_other("/dashboard");
    Ok(())
}

/// Signs out every other session of the user. Endpoint: `POST /api/sign_out_other_devices`.
#[server(endpoint = "sign_out_other_devices")]
pub async fn sign_out_other_devices() -> Result<(), AppError> {
    use crate::web::redirect::see_other;

    let Some((cx, user_id, current)) = logged_in().await? else {
        return Ok(());
    };
    let ended = crate::session::user_sessions::sign_out_others(&cx.state.db, user_id, &current)
        .await
        .map_err(cx.internal())?;
    tracing::info!(user_id, ended, "signed out the other devices");
    cx.flash_done(&[("success", Msg::DevicesSignedOutOthers { n: ended })])
        .await;
    see_other("/dashboard");
    Ok(())
}

/// The call, its user id and its session id; or, for an anonymous visitor, a `warning`
/// flash, a redirect to `/login`, and `None`.
#[cfg(feature = "ssr")]
async fn logged_in() -> Result<Option<(RequestContext, i64, String)>, AppError> {
    let cx = RequestContext::current().await?;
    let login = crate::session::login(&cx.session)
        .await
        .map_err(cx.internal())?;
    match (login, cx.session.id()) {
        (Some(login), Some(id)) => Ok(Some((cx, login.user_id, id.to_string()))),
        _ => {
            cx.send_to_login("/dashboard").await?;
            Ok(None)
        }
    }
}
