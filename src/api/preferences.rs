//! Saving and forgetting the preferences, and [`CurrentPreferences`], the page-side handle the
//! layout and `/settings` share (seeded by the server render from the session).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::preferences::{Density, PREFERENCES_KEY, Theme, saved};
#[cfg(feature = "ssr")]
use crate::text::{Lang, Msg};
use crate::{preferences::Preferences, seeded::seeded};

/// This session's preferences. Reads only; writes nothing.
#[server(endpoint = "load_preferences")]
pub async fn load_preferences() -> Result<Preferences, AppError> {
    use crate::web::context::RequestContext;

    let cx = RequestContext::current().await?;
    Ok(saved(&cx.session, cx.visitor.as_ref())
        .await
        .map_err(cx.internal())?
        .unwrap_or_default())
}

/// Saves the theme, the density and whether flashes stay until dismissed (the language is
/// kept). Endpoint: `POST /api/save_preferences` (`theme`, `density`, and `keep_flashes` when the
/// box is ticked). An unknown value changes nothing and gets an `error` flash; either way back
/// to `/settings`.
#[server(endpoint = "save_preferences")]
pub async fn save_preferences(
    theme: String,
    density: String,
    #[server(default)] keep_flashes: Option<String>,
) -> Result<(), AppError> {
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    match (Theme::parse(&theme), Density::parse(&density)) {
        (Some(theme), Some(density)) => {
            let kept = saved(&cx.session, cx.visitor.as_ref())
                .await
                .map_err(cx.internal())?
                .unwrap_or_default();
            store(
                &cx,
                Preferences {
                    theme,
                    density,
                    keep_flashes: keep_flashes.is_some(),
                    ..kept
                },
            )
            .await?;
            cx.flash_all(&[("success", Msg::SettingsSaved)]).await?;
        }
        _ => cx.flash_all(&[("error", Msg::SettingsInvalid)]).await?,
    }
    see_other("/settings");
    Ok(())
}

/// Chooses the interface's language: `lang` is a language's tag (`en`, `zh-CN`) or `auto`
/// (follow the browser's `Accept-Language`). Then back to `back`, the page the switch was on (a
/// path on this site; else `/`), now in that language. An unknown language changes nothing and
/// gets an `error` flash. Endpoint: `POST /api/set_language`. The switch is a plain form, also
/// with JavaScript: the whole page is rendered again in the new language.
#[server(endpoint = "set_language")]
pub async fn set_language(
    lang: String,
    #[server(default)] back: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::form::safe_next;
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    let chosen = match lang.trim() {
        "auto" => Some(None),
        tag => Lang::parse(tag).map(Some),
    };
    match chosen {
        Some(lang) => {
            let kept = saved(&cx.session, cx.visitor.as_ref())
                .await
                .map_err(cx.internal())?;
            // Nothing to store when nothing changes (a visitor without preferences choosing
            // the browser's language gets no cookie).
            if kept.is_some() || lang.is_some() {
                store(
                    &cx,
                    Preferences {
                        lang,
                        ..kept.unwrap_or_default()
                    },
                )
                .await?;
            }
        }
        None => cx.flash_all(&[("error", Msg::LanguageInvalid)]).await?,
    }
    see_other(back.as_deref().and_then(safe_next).unwrap_or("/"));
    Ok(())
}

/// Keeps `chosen` where this browser's preferences live: the session when it has a stored
/// record (a visitor without a session writes nothing to the database), and the visitor cookie,
/// so that they outlive the session however it ends (log-out, timeout, signed out elsewhere).
#[cfg(feature = "ssr")]
async fn store(
    cx: &crate::web::context::RequestContext,
    chosen: Preferences,
) -> Result<(), AppError> {
    let has_record = crate::session::has_record(&cx.session)
        .await
        .map_err(cx.internal())?;
    if has_record || cx.visitor.is_none() {
        cx.session
            .insert(PREFERENCES_KEY, chosen)
            .await
            .map_err(cx.internal())?;
    }
    if let Some(visitor) = &cx.visitor {
        visitor.insert(PREFERENCES_KEY, &chosen);
    }
    Ok(())
}

/// Forgets the theme, the density and the flashes' setting (the defaults apply; a chosen
/// language stays). Endpoint:
/// `POST /api/reset_preferences`.
#[server(endpoint = "reset_preferences")]
pub async fn reset_preferences() -> Result<(), AppError> {
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    let kept = saved(&cx.session, cx.visitor.as_ref())
        .await
        .map_err(cx.internal())?;
    match kept {
        Some(Preferences {
            lang: Some(lang), ..
        }) => {
            store(
                &cx,
                Preferences {
                    lang: Some(lang),
                    ..Preferences::default()
                },
            )
            .await?;
        }
        Some(_) => forget(&cx).await?,
        // `remove` marks the session changed even when the key is absent: nothing to do.
        None => {}
    }
    cx.flash_all(&[("info", Msg::SettingsResetDone)]).await?;
    see_other("/settings");
    Ok(())
}

/// Removes the preferences from the session and the visitor cookie.
#[cfg(feature = "ssr")]
async fn forget(cx: &crate::web::context::RequestContext) -> Result<(), AppError> {
    let in_session = cx
        .session
        .get_value(PREFERENCES_KEY)
        .await
        .map_err(cx.internal())?
        .is_some();
    if in_session {
        cx.session
            .remove_value(PREFERENCES_KEY)
            .await
            .map_err(cx.internal())?;
    }
    if let Some(visitor) = &cx.visitor {
        visitor.remove(PREFERENCES_KEY);
    }
    Ok(())
}

/// The page side: the preferences the layout and `/settings` share, as the server render found
/// them in the session.
#[derive(Clone, Copy)]
pub struct CurrentPreferences(Preferences);

impl CurrentPreferences {
    /// Reads them and provides them to the components below.
    pub fn provide() -> Self {
        let current = Self(seeded(|facts| facts.preferences));
        provide_context(current);
        current
    }

    /// The ones the layout provided.
    pub fn use_context() -> Option<Self> {
        use_context::<Self>()
    }

    /// The preferences.
    pub fn current(self) -> Preferences {
        self.0
    }
}
