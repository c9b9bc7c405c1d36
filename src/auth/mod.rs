//! Accounts: the users table, password hashing, the rules of the registration and log-in
//! forms, the throttling rules, the auth event log and password reset links. No HTTP answers here: the
//! server functions that tell the outcomes are in `api::account`.
//!
//! Shared with the browser: [`User`] and [`DashboardData`], the types the pages show.

#[cfg(feature = "ssr")]
pub mod argon2_memory;
#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod form;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod reset;
#[cfg(feature = "ssr")]
pub mod throttle;

use serde::{Deserialize, Serialize};

/// A user as the pages see them: no e-mail, no hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
}

/// What the dashboard shows about the user's session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardData {
    pub username: String,
    /// When the user logged in.
    pub logged_in_at: crate::text::Stamp,
    /// When the session ends unless used again (or at the latest, when remembered).
    pub expires_at: Option<crate::text::Stamp>,
    /// Whether "remember me" was ticked.
    pub remembered: bool,
}
