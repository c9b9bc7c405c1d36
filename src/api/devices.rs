//! The dashboard's list of the user's devices (sessions), and signing them out: one at a time,
//! or all but this one. Signing out deletes the session record, so that device's cookie stops
//! working with its next request (see `session::index`).

use leptos::prelude::*;

use crate::error::AppError;

use crate::session::devices::Device;
#[cfg(feature = "ssr")]
use crate::web::call::Call;

/// The logged-in user's live sessions, this one included (most recently used first). Empty for
/// an anonymous visitor.
#[server(endpoint = "devices")]
pub async fn devices() -> Result<Vec<Device>, AppError> {
    use crate::web::call::Call;

    let call = Call::current().await?;
    let Some(login) = crate::session::login(&call.session)
        .await
        .map_err(call.internal())?
    else {
        return Ok(Vec::new());
    };
    crate::session::devices::ssr::list(
        &call.state.pool,
        &call.session,
        login.user_id,
        call.state.lifetimes.now_unix(),
    )
    .await
    .map_err(call.internal())
}

/// Signs out one other session of the user. Endpoint: `POST /api/sign_out_device` (`device`:
/// the handle from the list). Flashes what happened and goes back to the dashboard.
#[server(endpoint = "sign_out_device")]
pub async fn sign_out_device(device: String) -> Result<(), AppError> {
    use crate::web::redirect::see_other;

    let text = crate::text::t();
    let Some((call, user_id, current)) = logged_in().await? else {
        return Ok(());
    };
    let now = call.state.lifetimes.now_unix();
    let ended =
        crate::session::index::sign_out(&call.state.pool, user_id, device.trim(), &current, now)
            .await
            .map_err(call.internal())?;
    if ended {
        tracing::info!(user_id, "signed out one other device");
        call.flash_done(&[("success", text.devices_signed_out_one)])
            .await;
    } else {
        call.flash_all(&[("info", text.devices_not_found)]).await?;
    }
    see_other("/dashboard");
    Ok(())
}

/// Signs out every other session of the user. Endpoint: `POST /api/sign_out_other_devices`.
#[server(endpoint = "sign_out_other_devices")]
pub async fn sign_out_other_devices() -> Result<(), AppError> {
    use crate::web::redirect::see_other;

    let text = crate::text::t();
    let Some((call, user_id, current)) = logged_in().await? else {
        return Ok(());
    };
    let ended = crate::session::index::sign_out_others(&call.state.pool, user_id, &current)
        .await
        .map_err(call.internal())?;
    tracing::info!(user_id, ended, "signed out the other devices");
    let message = text
        .devices_signed_out_others
        .replace("{n}", &ended.to_string());
    call.flash_done(&[("success", &message)]).await;
    see_other("/dashboard");
    Ok(())
}

/// The call, its user id and its session id; or, for an anonymous visitor, a `warning`
/// flash, a redirect to `/login`, and `None`.
#[cfg(feature = "ssr")]
async fn logged_in() -> Result<Option<(Call, i64, String)>, AppError> {
    let call = Call::current().await?;
    let login = crate::session::login(&call.session)
        .await
        .map_err(call.internal())?;
    match (login, call.session.id()) {
        (Some(login), Some(id)) => Ok(Some((call, login.user_id, id.to_string()))),
        _ => {
            call.send_to_login("/dashboard").await?;
            Ok(None)
        }
    }
}
