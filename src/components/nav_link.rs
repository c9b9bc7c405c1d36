//! The site navigation's links: plain `<a>` elements that say which one is the current page.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
    let current = use_location()
        .pathname
        .with_untracked(|path| is_current(href, path, exact));
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
