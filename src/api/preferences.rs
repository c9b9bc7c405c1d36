//! Saving and forgetting the preferences, and [`CurrentPreferences`], the page-side handle the
//! layout and `/settings` share (seeded by the server render from the session).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::preferences::{Density, PREFERENCES_KEY, Theme, saved};
#[cfg(feature = "ssr")]
use crate::text::{Lang, t};
use crate::{preferences::Preferences, seeded::Seeded};

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

/// Saves the preferences. Endpoint: `POST /api/save_preferences` (`theme`, `density`).
/// An unknown value changes nothing and gets an `error` flash; either way back to `/settings`.
#[server(endpoint = "save_preferences")]
pub async fn save_preferences(theme: String, density: String) -> Result<(), AppError> {
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    let text = t(Lang::current());
    match (Theme::parse(&theme), Density::parse(&density)) {
        (Some(theme), Some(density)) => {
            let chosen = Preferences { theme, density };
            let has_record = crate::session::has_record(&cx.session)
                .await
                .map_err(cx.internal())?;
            match &cx.visitor {
                Some(visitor) if !has_record => visitor.insert(PREFERENCES_KEY, &chosen),
                _ => cx
                    .session
                    .insert(PREFERENCES_KEY, chosen)
                    .await
                    .map_err(cx.internal())?,
            }
            cx.flash_all(&[("success", text.settings_saved)]).await?;
        }
        _ => cx.flash_all(&[("error", text.settings_invalid)]).await?,
    }
    see_other("/settings");
    Ok(())
}

/// Forgets the preferences (the key is removed, the defaults apply). Endpoint:
/// `POST /api/reset_preferences`.
#[server(endpoint = "reset_preferences")]
pub async fn reset_preferences() -> Result<(), AppError> {
    use crate::web::{context::RequestContext, redirect::see_other};

    let cx = RequestContext::current().await?;
    // `remove` marks the session changed even when the key is absent: look first.
    let saved = cx
        .session
        .get_value(PREFERENCES_KEY)
        .await
        .map_err(cx.internal())?
        .is_some();
    if saved {
        cx.session
            .remove_value(PREFERENCES_KEY)
            .await
            .map_err(cx.internal())?;
    }
    if let Some(visitor) = &cx.visitor {
        visitor.remove(PREFERENCES_KEY);
    }
    cx.flash_all(&[("info", t(Lang::current()).settings_reset_done)])
        .await?;
    see_other("/settings");
    Ok(())
}

/// The page side: the preferences the layout and `/settings` share, so that saving on
/// `/settings` restyles the page at once. Seeded by the server render from the session.
#[derive(Clone, Copy)]
pub struct CurrentPreferences(Seeded<Preferences>);

impl CurrentPreferences {
    /// Creates them and provides them to the components below.
    pub fn provide() -> Self {
        let current = Self(Seeded::new(|facts| facts.preferences));
        provide_context(current);
        current
    }

    /// The ones the layout provided.
    pub fn use_context() -> Option<Self> {
        use_context::<Self>()
    }

    /// The current value (reactive).
    pub fn current(self) -> Preferences {
        self.0.get()
    }

    /// Browser: asks the server again (after a save or a reset).
    pub fn refresh(self) {
        self.0.refresh(load_preferences());
    }
}
