//! The user's sessions on their devices: listed on the dashboard, and signed out one at a time
//! or all but this one. Signing out deletes the session record, so that device's cookie stops
//! working with its next request; a request of it still running cannot save the session back
//! (see the store).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One live session of the user, as the dashboard lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// What the sign-out form sends back: a fingerprint of the session id, never the id, which
    /// never leaves the cookie.
    pub handle: String,
    /// e.g. "Firefox on Linux".
    pub browser: String,
    /// When the session started (its log-in), as `YYYY-MM-DD HH:MM UTC`.
    pub started_at: String,
    /// When it was last used, as `YYYY-MM-DD HH:MM UTC`.
    pub last_seen: String,
    /// Logged in with "remember me".
    pub remembered: bool,
    /// The session of this very browser.
    pub current: bool,
}

/// The logged-in user's live sessions, this one included (most recently used first). Empty for
/// an anonymous visitor.
#[server(endpoint = "devices")]
pub async fn devices() -> Result<Vec<Device>, ServerFnError> {
    use crate::server::call::Call;

    let call = Call::current().await?;
    let Some(login) = super::login(&call.session).await.map_err(call.internal())? else {
        return Ok(Vec::new());
    };
    ssr::list(
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
pub async fn sign_out_device(device: String) -> Result<(), ServerFnError> {
    use crate::server::redirect::see_other;

    let text = crate::text::t();
    let Some((call, user_id, current)) = ssr::logged_in().await? else {
        return Ok(());
    };
    let now = call.state.lifetimes.now_unix();
    let ended = super::index::sign_out(&call.state.pool, user_id, device.trim(), &current, now)
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
pub async fn sign_out_other_devices() -> Result<(), ServerFnError> {
    use crate::server::redirect::see_other;

    let text = crate::text::t();
    let Some((call, user_id, current)) = ssr::logged_in().await? else {
        return Ok(());
    };
    let ended = super::index::sign_out_others(&call.state.pool, user_id, &current)
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

#[cfg(feature = "ssr")]
pub mod ssr {
    use leptos::prelude::ServerFnError;
    use sqlx::SqlitePool;
    use tower_sessions::Session;

    use super::Device;
    use crate::{
        server::call::{Call, format_time},
        session::index,
    };

    /// `user_id`'s sessions live at `now`, marking `session` as the current one.
    pub async fn list(
        pool: &SqlitePool,
        session: &Session,
        user_id: i64,
        now: i64,
    ) -> Result<Vec<Device>, sqlx::Error> {
        let current = session.id().map(|id| id.to_string());
        let entries = index::list(pool, user_id, now).await?;
        Ok(entries
            .into_iter()
            .map(|entry| Device {
                handle: entry.handle(),
                browser: index::browser_name(entry.user_agent.as_deref()),
                started_at: format_time(entry.started_at),
                last_seen: format_time(entry.last_seen),
                remembered: entry.remembered,
                current: current.as_deref() == Some(entry.session_id.as_str()),
            })
            .collect())
    }

    /// The call, its user id and its session id; or, for an anonymous visitor, a `warning`
    /// flash, a redirect to `/login`, and `None`.
    pub async fn logged_in() -> Result<Option<(Call, i64, String)>, ServerFnError> {
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
}
