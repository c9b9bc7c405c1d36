//! Every user-facing string of the interface, in one place so that it can be translated.
//!
//! Components read their words through [`t()`]; a later locale is another `Text` value.

/// The words of the interface in one language.
pub struct Text {
    pub app_name: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_login: &'static str,
    pub nav_register: &'static str,
    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_try_label: &'static str,
    pub home_try_button: &'static str,
    pub home_try_count: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub not_found_home_link: &'static str,
}

/// English, the default locale.
pub static EN: Text = Text {
    app_name: "Flashboard",
    nav_label: "Main",
    nav_home: "Home",
    nav_login: "Log in",
    nav_register: "Register",
    home_title: "Welcome to Flashboard",
    home_lead: "Register, log in and watch every step told by a one-time flash message, \
                kept in a server-side session.",
    home_try_label: "This button runs in your browser once the page has hydrated:",
    home_try_button: "Count clicks",
    home_try_count: "Clicks so far:",
    not_found_title: "Page not found",
    not_found_body: "There is nothing at this address.",
    not_found_home_link: "Back to the home page",
};

/// The interface's words for the current locale.
pub fn t() -> &'static Text {
    &EN
}
