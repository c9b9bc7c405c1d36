//! The site navigation's links: plain `<a>` elements that say which one is the current page,
//! and the current page's address ([`request_path`]), which they and the language switch read.

use leptos::prelude::*;

/// The path and the query (without `?`, empty if none) of the page being rendered: the
/// request's own, as the server routed it. Pages are server HTML (only islands run in the
/// browser), and this needs no leptos_router `<Router>`, which the pages rendered in one pass
/// do without (`server::render`).
#[cfg(feature = "ssr")]
pub fn request_path() -> (String, String) {
    // Read in place: `use_context` would clone the whole request head.
    with_context::<axum::http::request::Parts, _>(|parts| {
        (
            parts.uri.path().to_owned(),
            parts.uri.query().unwrap_or_default().to_owned(),
        )
    })
    .unwrap_or_else(|| ("/".to_owned(), String::new()))
}

/// In the browser (never called there: these components are not islands), the router's.
#[cfg(not(feature = "ssr"))]
pub fn request_path() -> (String, String) {
    let location = leptos_router::hooks::use_location();
    (
        location.pathname.get_untracked(),
        location.search.get_untracked(),
    )
}

/// A link to one of the site's pages, with `aria-current="page"` when the request's path is that
/// page (`exact`), or that page or one below it. What leptos_router's `<A>` renders for an
/// absolute path, without its per-link memos and path resolution: pages are server HTML (no
/// client router follows these links), so the render decides once.
#[component]
pub fn NavLink(
    /// An absolute path on this site (`/settings`).
    href: &'static str,
    /// Current only on the page itself, not on the pages below it (for `/`).
    #[prop(optional)]
    exact: bool,
    /// The link's words (a plain string: no boxed children to build for each link).
    label: &'static str,
) -> impl IntoView {
    let current = is_current(href, &request_path().0, exact);
    view! {
        <a href=href aria-current=current.then_some("page")>
            {label}
        </a>
    }
}

/// Whether `path` is the page `href` (or, unless `exact`, a page below it).
fn is_current(href: &str, path: &str, exact: bool) -> bool {
    let href = href.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    path == href
        || (!exact
            && path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_link_is_current_on_its_page_and_below_it_unless_exact() {
        assert!(is_current("/settings", "/settings", false));
        assert!(is_current("/settings", "/settings/", false));
        assert!(is_current("/password", "/password/reset", false));
        assert!(!is_current("/password", "/password/reset", true));
        assert!(!is_current("/settings", "/settingsx", false));
        assert!(!is_current("/settings", "/", false));
        assert!(is_current("/", "/", true));
        assert!(!is_current("/", "/login", true));
    }
}
