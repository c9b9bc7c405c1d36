//! What the pages show about the logged-in user, as JSON endpoints for scripted clients: the
//! navigation's user and the dashboard's facts (the pages themselves get both seeded by
//! `web::page_facts`).

use leptos::prelude::*;

use crate::auth::{DashboardData, User};
use crate::error::AppError;

/// The logged-in user, if any (for the layout's navigation).
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    use crate::web::context::RequestContext;

    let cx = RequestContext::current().await?;
    cx.user().await
}

/// The dashboard's data. An anonymous visitor gets a `warning` flash and is sent to `/login`
/// (with `next=/dashboard`), and `None`.
#[server(endpoint = "dashboard")]
pub async fn dashboard() -> Result<Option<DashboardData>, AppError> {
    use crate::web::{context::RequestContext, page_facts::dashboard_data};

    let cx = RequestContext::current().await?;
    let Some((user, login)) = cx.user_and_login().await? else {
        cx.send_to_login("/dashboard").await?;
        return Ok(None);
    };
    dashboard_data(
        &cx.state,
        &cx.session,
        &user,
        &login,
        crate::text::Lang::current(),
    )
    .await
    .map(Some)
    .map_err(cx.internal())
}
