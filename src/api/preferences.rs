//! Saving and forgetting the preferences, and [`CurrentPreferences`], the page-side handle the
//! layout and `/settings` share (seeded by the server render from the session).

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::preferences::{Density, PREFERENCES_KEY, Theme, saved};
use crate::{preferences::Preferences, seeded::Seeded};

/// This session's preferences. Reads only; writes nothing.
#[server(endpoint = "load_preferences")]
pub async fn load_preferences() -> Result<Preferences, AppError> {
    use crate::web::call::Call;

    let call = Call::current().await?;
    Ok(saved(&call.session, call.visitor.as_ref())
        .await
        .map_err(call.internal())?
        .unwrap_or_default())
}

/// Saves the preferences. Endpoint: `POST /api/save_preferences` (`theme`, `density`).
/// An unknown value changes nothing and gets an `error` flash; either way back to `/settings`.
#[server(endpoint = "save_preferences")]
pub async fn save_preferences(theme: String, density: String) -> Result<(), AppError> {
    use crate::web::{call::Call, redirect::see_other};

    let call = Call::current().await?;
    let text = crate::text::t();
    match (Theme::parse(&theme), Density::parse(&density)) {
        (Some(theme), Some(density)) => {
            let chosen = Preferences { theme, density };
            let has_record = crate::session::has_record(&call.session)
                .await
                .map_err(call.internal())?;
            match &call.visitor {
                Some(visitor) if !has_record => visitor.insert(PREFERENCES_KEY, &chosen),
                _ => call
                    .session
                    .insert(PREFERENCES_KEY, chosen)
                    .await
                    .map_err(call.internal())?,
            }
            call.flash_all(&[("success", text.settings_saved)]).await?;
        }
        _ => call.flash_all(&[("error", text.settings_invalid)]).await?,
    }
    see_other("/settings");
    Ok(())
}

/// Forgets the preferences (the key is removed, the defaults apply). Endpoint:
/// `POST /api/reset_preferences`.
#[server(endpoint = "reset_preferences")]
pub async fn reset_preferences() -> Result<(), AppError> {
    use crate::web::{call::Call, redirect::see_other};

    let call = Call::current().await?;
    // `remove` marks the session changed even when the key is absent: look first.
    let saved = call
        .session
        .get_value(PREFERENCES_KEY)
        .await
        .map_err(call.internal())?
        .is_some();
    if saved {
        call.session
            .remove_value(PREFERENCES_KEY)
            .await
            .map_err(call.internal())?;
    }
    if let Some(visitor) = &call.visitor {
        visitor.remove(PREFERENCES_KEY);
    }
    call.flash_all(&[("info", crate::text::t().settings_reset_done)])
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
