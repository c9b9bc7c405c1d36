//! UI preferences kept in the session (under the `preferences` key): theme, density, language
//! and whether flashes stay until dismissed; what they are, and where a request finds them. The server functions that save them, and the page-side
//! handle the layout shares, are in `api::preferences`.
//!
//! The layout reads them during the server render and puts them on `<html>` as `data-theme` and
//! `data-density`, so the first paint already has the chosen look (no flash of the wrong theme,
//! with or without JavaScript). Reading them writes nothing: a visitor who never saved any has
//! no session and gets none.

use serde::{Deserialize, Serialize};

use crate::text::Lang;

/// The colour scheme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    /// Follow the operating system (`prefers-color-scheme`).
    #[default]
    System,
}

/// How much space the interface takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Density {
    #[default]
    Comfortable,
    Compact,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The form and attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|theme| theme.as_str() == value)
    }
}

impl Density {
    pub const ALL: [Density; 2] = [Density::Comfortable, Density::Compact];

    /// The form and attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Density::Comfortable => "comfortable",
            Density::Compact => "compact",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|density| density.as_str() == value)
    }
}

/// The preferences of this session (the defaults until saved).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub theme: Theme,
    pub density: Density,
    /// The language chosen with the switch; `None` follows the browser's `Accept-Language`.
    /// (Absent from preferences saved before there was a choice.)
    #[serde(default)]
    pub lang: Option<Lang>,
    /// Success and info flashes stay until dismissed instead of going after 6 s (WCAG 2.2.1:
    /// a time limit the user can turn off). On `<html>` as `data-flashes="keep"`.
    #[serde(default)]
    pub keep_flashes: bool,
}

/// The session key of [`Preferences`].
#[cfg(feature = "ssr")]
pub const PREFERENCES_KEY: &str = "preferences";

/// The saved preferences: the session's, else the visitor cookie's (a visitor without a
/// session keeps them there; see `session::visitor`).
#[cfg(feature = "ssr")]
pub async fn saved(
    session: &tower_sessions::Session,
    visitor: Option<&crate::session::visitor::Visitor>,
) -> Result<Option<Preferences>, tower_sessions::session::Error> {
    Ok(match session.get::<Preferences>(PREFERENCES_KEY).await? {
        Some(saved) => Some(saved),
        None => visitor.and_then(|visitor| visitor.get(PREFERENCES_KEY)),
    })
}
