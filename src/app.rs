//! The HTML shell the server renders around the app, and the app's routes.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{FlatRoutes, Route, Router},
};

use crate::{
    components::Layout,
    pages::{
        AccountPage, DashboardPage, FlashDemoPage, ForgotPasswordPage, HomePage, LoginPage,
        NotFound, RegisterPage, ResetPasswordPage, SessionPage, SettingsPage,
    },
    text::{Lang, t},
};

/// The whole document, as the server sends it (the browser runs only its islands). The
/// script, wasm and stylesheet names carry the build's content hashes when it has them (see
/// `web::assets`).
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    document(options, || view! { <App /> })
}

/// The document of a one-pass `page`, as [`shell`] renders it for the page's path, but without
/// leptos_router: the page chosen here, not by `<Router>` and `<FlatRoutes>`, whose location
/// parse, memos and route owner cost a page view about 5% of its instructions
/// (`server::render` uses it; its tests compare the two documents).
#[cfg(feature = "ssr")]
pub fn one_pass_shell(options: LeptosOptions, page: OnePassPage) -> impl IntoView {
    use leptos::either::EitherOf3;
    document(options, move || {
        app_around(move || {
            view! {
                <Layout>
                    {match page {
                        OnePassPage::Home => EitherOf3::A(view! { <HomePage /> }),
                        OnePassPage::Dashboard => EitherOf3::B(view! { <DashboardPage /> }),
                        OnePassPage::Settings => EitherOf3::C(view! { <SettingsPage /> }),
                    }}
                </Layout>
            }
        })
    })
}

/// `<html>` with its `<head>`, and `body` in its `<body>`.
#[cfg(feature = "ssr")]
fn document<V: IntoView + 'static>(
    options: LeptosOptions,
    body: impl FnOnce() -> V,
) -> impl IntoView {
    let stylesheet = crate::web::assets::stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang=Lang::current().tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>{body()}</body>
        </html>
    }
}

/// The pages with nothing of their own to wait for: no suspense boundary, resource, `Suspend`
/// or error boundary. When no flash waits for the request either, the server renders them in
/// one synchronous pass (`server::render`), not through leptos_axum's async render. A page that
/// gains one of those must leave this list: in one pass, a suspense boundary shows its fallback
/// and a pending `Suspend` shows nothing. Boundaries and resources take an id from the render's
/// shared context, which is looked at after the pass (debug builds panic; release builds log an
/// error and render the page the async way); a bare `Suspend` takes none and goes unseen, so
/// the tests compare each one-pass document with its async one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnePassPage {
    Home,
    Dashboard,
    Settings,
}

impl OnePassPage {
    pub const ALL: [Self; 3] = [Self::Home, Self::Dashboard, Self::Settings];

    /// The page's path (its route below).
    pub const fn path(self) -> &'static str {
        match self {
            Self::Home => "/",
            Self::Dashboard => "/dashboard",
            Self::Settings => "/settings",
        }
    }

    /// The one-pass page at `path`, if there is one.
    pub fn at(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|page| page.path() == path)
    }
}

/// The app: title, and the routes inside the shared [`Layout`].
///
/// Every route renders with `SsrMode::Async`: the whole page is rendered before the first
/// byte is sent. Pages read the session (flashes, the user), and this way what they read is
/// in the HTML without JavaScript, and statuses and redirects set while rendering still apply.
/// (A [`OnePassPage`] with nothing to wait for is rendered by
/// `server::render` in one synchronous pass instead, with the same result.)
#[component]
pub fn App() -> impl IntoView {
    app_around(|| {
        view! {
            <Router>
                <Layout>
                    <FlatRoutes fallback=NotFound>
                        <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                        <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("register") view=RegisterPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("dashboard") view=DashboardPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("settings") view=SettingsPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("session") view=SessionPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("password"), StaticSegment("forgot"))
                            view=ForgotPasswordPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("password"), StaticSegment("reset"))
                            view=ResetPasswordPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("flash-demo")
                            view=FlashDemoPage
                            ssr=SsrMode::Async
                        />
                    </FlatRoutes>
                </Layout>
            </Router>
        }
    })
}

/// What every render of the app has around its pages: the meta context, the page's CSP and
/// the title; `inner` is rendered inside (the router, or one page in its [`Layout`]).
fn app_around<V: IntoView + 'static>(inner: impl FnOnce() -> V) -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    crate::web::headers::set_page_csp();
    view! {
        <Title text=t(Lang::current()).app_name />
        {inner()}
    }
}

#[cfg(test)]
mod tests {
    use super::OnePassPage;

    #[test]
    fn a_one_pass_page_is_found_at_its_path_and_only_there() {
        for page in OnePassPage::ALL {
            assert_eq!(OnePassPage::at(page.path()), Some(page));
        }
        for other in ["/login", "/dashboard/", "/settings?x=1", ""] {
            assert_eq!(OnePassPage::at(other), None, "{other}");
        }
    }
}
