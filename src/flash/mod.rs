//! Categorized one-time flash messages over tower-sessions: pushed on the server, read and shown
//! once on the page.
//!
//! # Overview
//! - **Push** on the server, from a server function or an axum handler, with a [`Flasher`]
//!   (`flasher.success("Saved").await?`, or `push(category, message)` for any category).
//! - **Read** on the page: the app's layout calls [`provide_flashes`]; every
//!   component of the page then shares one read through [`use_flashes`], with a category
//!   filter, [`Flashes::with_categories`].
//! - **Show**: [`FlashList`] is the global banner (only the layout renders it) and
//!   [`FieldFlashes`] shows the field-scoped ones (`error_username`, ...) beside their field.
//!
//! # Design
//! - Each flash is a row of its own in SQLite, keyed by the session id and deleted with the
//!   session (`migrations/sqlite/0001_flash.sql`). The session store saves whole blobs, last writer
//!   wins; a flash kept inside the blob would be lost whenever a concurrent request of the same
//!   browser saved after it. A row is written once and removed once.
//! - Showing consumes: the page that renders the flashes takes them with one
//!   `DELETE ... RETURNING`, so a reload, the back button or a second tab sees none, and two
//!   racing pages never both show one. Requests that render no page never take them.
//! - Pages are server HTML (islands: only small parts run in the browser), so a page reads them
//!   while it renders and shows them in its HTML, with JavaScript or without: every form posts
//!   and is answered with a redirect to the page that shows the outcome.
//! - Dismissing and auto-dismissing are CSS (`style/flash.css`): they work without JavaScript,
//!   pause on hover and focus, and respect `prefers-reduced-motion`.

mod category;
mod view;

#[cfg(feature = "ssr")]
mod request;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
mod take;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use category::{DEFAULT_CATEGORY, Level, MAX_CATEGORY_LEN, valid_category};
#[cfg(feature = "ssr")]
pub use request::{
    FlashesWaiting, LeaveFlashes, PushedHere, page_will_be_seen, session_from_context,
};
#[cfg(feature = "ssr")]
pub use store::{FlashError, FlashLimits, FlashStore, Flasher};
pub use view::{
    FieldFlashes, FlashList, Flashes, field_is_invalid, message_id, provide_flashes, use_flashes,
};

/// The flash demo's flashes: one of each built-in category and a custom one.
#[cfg(feature = "ssr")]
pub const DEMO: [(&str, crate::text::Msg); 6] = {
    use crate::text::Msg;
    [
        ("success", Msg::DemoSuccess),
        ("warning", Msg::DemoWarning),
        ("info", Msg::DemoInfo),
        ("error", Msg::DemoError),
        ("message", Msg::DemoMessage),
        ("stock_alert", Msg::DemoStockAlert),
    ]
};

/// One flash message as the page receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// Unique and increasing: the order of arrival, and the key of the rendered element.
    pub id: i64,
    /// `success`, `error`, `warning`, `info`, `message` (the default), a field-scoped
    /// `<level>_<field>` such as `error_username`, or any custom name such as `stock_alert`.
    pub category: String,
    /// The words, in the viewer's language (always escaped when rendered).
    pub message: String,
}

impl Flash {
    /// The style the category gets (see [`Level`]).
    pub fn level(&self) -> Level {
        Level::of(&self.category)
    }

    /// The form field a field-scoped category names: `error_username` -> `username`.
    pub fn field(&self) -> Option<&str> {
        category::field_of(&self.category)
    }
}

/// Takes (returns and removes) the flashes waiting in the caller's session.
///
/// Pages call it once per server render; scripted clients at `POST /api/take_flashes`.
///
/// A server render leaves the flashes where they are when nobody will see the page: a `HEAD`
/// request, a prefetch (`Sec-Purpose: prefetch`), or a render marked with [`LeaveFlashes`]
/// (the 404 page of a missing file, so that a stray `/favicon.ico` does not eat them).
#[server(endpoint = "take_flashes")]
pub async fn take_flashes() -> Result<Vec<Flash>, AppError> {
    if !request::page_will_be_seen() {
        return Ok(Vec::new());
    }
    let flasher = Flasher::from_context().await?;
    flasher
        .take_for_page()
        .await
        .map_err(FlashError::into_app_error)
}

/// The flashes whose category is one of `categories`, in order.
pub fn with_categories(mut flashes: Vec<Flash>, categories: &[&str]) -> Vec<Flash> {
    flashes.retain(|flash| categories.contains(&flash.category.as_str()));
    flashes
}

/// The flashes that belong in the global banner: all but the field-scoped ones.
pub fn global(mut flashes: Vec<Flash>) -> Vec<Flash> {
    flashes.retain(|flash| flash.field().is_none());
    flashes
}

/// The flashes scoped to `field`.
pub fn for_field(mut flashes: Vec<Flash>, field: &str) -> Vec<Flash> {
    flashes.retain(|flash| flash.field() == Some(field));
    flashes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flashes(categories: &[&str]) -> Vec<Flash> {
        categories
            .iter()
            .zip(1..)
            .map(|(category, id)| Flash {
                id,
                category: (*category).to_owned(),
                message: format!("message {id}"),
            })
            .collect()
    }

    fn categories(flashes: &[Flash]) -> Vec<&str> {
        flashes.iter().map(|f| f.category.as_str()).collect()
    }

    #[test]
    fn category_filter_keeps_only_the_named_categories_in_order() {
        let all = flashes(&["success", "error", "info", "error", "stock_alert"]);
        let errors = with_categories(all.clone(), &["error"]);
        assert_eq!(categories(&errors), ["error", "error"]);
        assert_eq!(errors[0].id, 2);
        assert_eq!(errors[1].id, 4);
        let some = with_categories(all.clone(), &["stock_alert", "success"]);
        assert_eq!(categories(&some), ["success", "stock_alert"]);
        assert!(with_categories(all, &["warning"]).is_empty());
    }

    #[test]
    fn field_scoped_flashes_stay_out_of_the_global_banner() {
        let all = flashes(&[
            "error_username",
            "success",
            "info_password",
            "warning_password",
            "stock_alert",
        ]);
        assert_eq!(categories(&global(all.clone())), ["success", "stock_alert"]);
        assert_eq!(
            categories(&for_field(all.clone(), "password")),
            ["info_password", "warning_password"]
        );
        assert_eq!(categories(&for_field(all, "username")), ["error_username"]);
    }
}
