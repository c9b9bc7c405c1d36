//! Server-side sessions: the cookie carries only a signed session id; the data lives in the
//! database, in the `tower_sessions` table, through this app's own store.
//!
//! Server only (behind `ssr`):
//! - [`config`]: the `[session]` settings.
//! - [`cookies`]: how the app's cookies are set, and the keys that sign and encrypt them.
//! - [`manager`]: the session middleware from the `[session]` settings.
//! - `sweep`: deleting expired records, a batch at a time, and the task that does it.
//! - [`store`]: the store (update-only saves, server-side expiry, the device columns).
//! - `cycle`: a log-in's new session id, keeping the flashes that wait under the old one.
//! - [`loaded`]: what the store's load found out besides the record (flashes waiting, the user).
//! - [`lifetime`]: idle, absolute and remembered lifetimes, and what a request changes of them.
//! - [`keys`]: what the app keeps in a session (who is logged in, kept form input).
//! - [`form_input`]: form input kept across a failed post's redirect.
//! - [`user_sessions`]: which sessions belong to which user (the device columns of
//!   `tower_sessions`).
//! - `merge`: saves that merge the keys a request changed into a newer version of the record.
//! - [`visitor`]: what a visitor without a server-side session keeps, in an encrypted cookie.
//! - `visitor_cookie`: those cookies as they travel (read from a request, written back).
//!
//! Shared with the browser (the types pages show; their server functions are in `api`):
//! - [`devices`]: the user's sessions on their devices.
//! - [`inspect`]: what the server keeps for the current session (the `/session` page).

pub mod devices;
pub mod inspect;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod cookies;
#[cfg(feature = "ssr")]
mod cycle;
#[cfg(feature = "ssr")]
pub mod form_input;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod lifetime;
#[cfg(feature = "ssr")]
pub mod loaded;
#[cfg(feature = "ssr")]
pub mod manager;
#[cfg(feature = "ssr")]
mod merge;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
mod sweep;
#[cfg(feature = "ssr")]
pub mod user_sessions;
#[cfg(feature = "ssr")]
pub mod visitor;
#[cfg(feature = "ssr")]
mod visitor_cookie;

#[cfg(feature = "ssr")]
pub use cycle::{Cycled, cycle_id_keeping_rows, finish_cycle};
#[cfg(feature = "ssr")]
pub use form_input::{keep_form_input, take_form_input};
#[cfg(feature = "ssr")]
pub use keys::{FORM_INPUT_KEY, LOGIN_KEY, Login, has_record, login};
#[cfg(feature = "ssr")]
pub use lifetime::Lifetimes;
#[cfg(feature = "ssr")]
pub use manager::{SessionLayer, layer};
#[cfg(feature = "ssr")]
pub use store::SessionStore;
#[cfg(feature = "ssr")]
pub use sweep::spawn_sweeper;
