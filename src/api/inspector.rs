//! The session inspector's server function: gathers what `/session` shows (see
//! `session::inspect` for what each field means).

use leptos::prelude::*;

use crate::error::AppError;
use crate::session::inspect::SessionReport;

/// The current session, for the logged-in user (`None` and a redirect to `/login` otherwise).
#[server(endpoint = "inspect_session")]
pub async fn inspect_session() -> Result<Option<SessionReport>, AppError> {
    use crate::web::context::RequestContext;

    let cx = RequestContext::current().await?;
    let report = ssr::report(&cx).await.map_err(cx.internal())?;
    if report.is_none() {
        cx.send_to_login("/session").await?;
    }
    Ok(report)
}

#[cfg(feature = "ssr")]
mod ssr {
    use tower_sessions::session::Id;

    use super::SessionReport;
    use crate::{
        session::{
            config::SameSite,
            inspect::{CookieFacts, Ending},
            lifetime::{META_KEY, Meta},
        },
        text::{Lang, Stamp},
        web::context::RequestContext,
    };

    /// The report of a logged-in session; `None` for anyone else.
    pub(super) async fn report(
        cx: &RequestContext,
    ) -> Result<Option<SessionReport>, tower_sessions::session::Error> {
        let session = &cx.session;
        let (Some(_), Some(id)) = (crate::session::login(session).await?, session.id()) else {
            return Ok(None);
        };
        let Some(meta) = session.get::<Meta>(META_KEY).await? else {
            return Ok(None);
        };
        let (cookies, lifetimes) = (&cx.state.cookies, &cx.state.lifetimes);
        let (end, ending) = lifetimes.end(&meta);
        // What the store holds (as of the last save), every key, not only the ones this page knows.
        let stored = crate::session::SessionStore::load_record(
            &cx.state.db,
            &id,
            cx.state.lifetimes.now_unix(),
        )
        .await?
        .map(|record| record.data)
        .unwrap_or_default();
        let mut entries: Vec<(String, String)> = stored
            .into_iter()
            .map(|(key, value)| (key, value.to_string()))
            .collect();
        entries.sort();
        let same_site = match cookies.same_site {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        };
        Ok(Some(SessionReport {
            fingerprint: fingerprint(&id),
            entries,
            cookie: CookieFacts {
                name: cookies.session_cookie(),
                path: "/".to_owned(),
                http_only: cookies.http_only,
                secure: cookies.secure,
                same_site: same_site.to_owned(),
                persistent_until: meta.remembered_until.map(stamp),
            },
            started_at: stamp(meta.started_at),
            last_seen: stamp(meta.last_seen),
            expires_at: stamp(end),
            ending,
            timeout: match ending {
                Ending::Idle => timeout(lifetimes.idle),
                Ending::Absolute => timeout(lifetimes.absolute),
                Ending::Remembered => String::new(),
            },
        }))
    }

    /// A timeout in the viewer's words (`30 minutes`).
    fn timeout(duration: tower_sessions::cookie::time::Duration) -> String {
        let seconds = u64::try_from(duration.whole_seconds()).unwrap_or_default();
        crate::text::format_duration(seconds, Lang::current())
    }

    /// The fingerprint of `id` (the same one the list of devices uses as its handle).
    fn fingerprint(id: &Id) -> String {
        crate::session::user_sessions::fingerprint(&id.to_string())
    }

    fn stamp(unix: i64) -> Stamp {
        Stamp::at(unix, Lang::current())
    }
}
