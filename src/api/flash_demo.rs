//! The flash demo's server functions: one flash of each style, and the visitor's own.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::text::Msg;

/// Pushes one flash of each built-in category and a custom one, then redirects back here.
/// Endpoint: `POST /api/flash_demo`.
#[server(endpoint = "flash_demo")]
pub async fn flash_demo() -> Result<(), AppError> {
    let cx = crate::web::context::RequestContext::current().await?;
    cx.flash_all(&crate::flash::DEMO).await?;
    crate::web::redirect::see_other("/flash-demo");
    Ok(())
}

/// Pushes the visitor's own message under the visitor's category (any valid name), then
/// redirects back here. A blank message or an invalid category is told by an `error` flash.
/// Endpoint: `POST /api/flash_custom`.
#[server(endpoint = "flash_custom")]
pub async fn flash_custom(category: String, message: String) -> Result<(), AppError> {
    use crate::flash::valid_category;

    let cx = crate::web::context::RequestContext::current().await?;
    let flasher = &cx.flasher;
    let (category, message) = (category.trim(), message.trim());
    // Invalid input is told beside its field (field-scoped categories), as on the registration
    // form.
    let pushed = if message.is_empty() {
        flasher.push("error_message", Msg::DemoOwnEmpty).await
    } else if !valid_category(category) {
        flasher
            .push("error_category", Msg::DemoOwnBadCategory)
            .await
    } else {
        flasher.push(category, message).await
    };
    // A failure fails the post (`503` while the database is unavailable), also without
    // JavaScript, where leptos would otherwise redirect back as if it had worked.
    pushed.map_err(cx.internal())?;
    crate::web::redirect::see_other("/flash-demo");
    Ok(())
}
