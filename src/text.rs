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
    pub flash_region_label: &'static str,
    pub flash_dismiss: &'static str,
    pub demo_title: &'static str,
    pub demo_lead: &'static str,
    pub demo_redirect_button: &'static str,
    pub demo_now_button: &'static str,
    pub demo_now_hint: &'static str,
    pub demo_flashes: [(&'static str, &'static str); 6],
    pub nav_flash_demo: &'static str,
    pub demo_own_heading: &'static str,
    pub demo_own_message: &'static str,
    pub demo_own_category: &'static str,
    pub demo_own_button: &'static str,
    pub demo_own_empty: &'static str,
    pub demo_own_bad_category: &'static str,
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
    flash_region_label: "Notifications",
    flash_dismiss: "Dismiss",
    demo_title: "Flash messages, every style",
    demo_lead: "Each button pushes one flash of every built-in category and a custom one. \
                They are shown once: reload the page and they are gone.",
    demo_redirect_button: "Flash and redirect",
    demo_now_button: "Flash and show now",
    demo_now_hint: "The second button answers the form post with the page itself (no redirect), \
                    like Rails' flash.now.",
    demo_flashes: [
        ("success", "Logged in successfully."),
        ("warning", "Your password is weak."),
        ("info", "Maintenance is planned for tonight."),
        ("error", "The database connection failed."),
        ("message", "A message without a category."),
        ("stock_alert", "Only 3 left in stock."),
    ],
    nav_flash_demo: "Flash demo",
    demo_own_heading: "Flash your own",
    demo_own_message: "Message",
    demo_own_category: "Category",
    demo_own_button: "Flash it",
    demo_own_empty: "Write a message to flash.",
    demo_own_bad_category: "A category is 1 to 64 letters, digits, _ or -.",
    not_found_title: "Page not found",
    not_found_body: "There is nothing at this address.",
    not_found_home_link: "Back to the home page",
};

/// The interface's words for the current locale.
pub fn t() -> &'static Text {
    &EN
}
