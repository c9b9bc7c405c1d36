//! Every user-facing string of the interface, in every language it speaks.
//!
//! - [`Lang`]: the languages (`en`, `zh-CN`) and how a request's is chosen (`lang.rs`).
//! - [`Text`]: the interface's words in one language, one `static` per language (`en.rs`,
//!   `zh_cn.rs`). A language that lacks a word does not compile: each is a struct literal.
//! - [`Msg`]: the messages a flash can carry, with their arguments (`msg.rs`). A flash stores
//!   the message, not its words, and is rendered in the viewer's language when shown.
//! - [`Message`]: what a flash says, a [`Msg`] or text given verbatim.
//! - Plurals ([`Plural`]), dates and durations (`format.rs`) by each language's rules.
//!
//! Components read their words with `t(Lang::current())`. Adding a language: a variant of
//! [`Lang`], its tag and rules in `lang.rs`, and a `Text` static (the compiler lists every word
//! still missing).

mod en;
mod format;
mod lang;
mod msg;
mod zh_cn;

pub use format::Stamp;
#[cfg(feature = "ssr")]
pub use format::{format_duration, format_time, iso_time};
pub use lang::Lang;
pub use msg::{Message, Msg};

/// A phrase with a number in it, in the forms a language needs: `{n}` is replaced by the number.
/// English uses `one` for 1 and `other` for the rest; Chinese has one form (both the same).
pub struct Plural {
    pub one: &'static str,
    pub other: &'static str,
}

impl Plural {
    /// The phrase for `n` in `lang`.
    pub fn of(&self, n: u64, lang: Lang) -> String {
        let form = if lang.is_singular(n) {
            self.one
        } else {
            self.other
        };
        form.replace("{n}", &n.to_string())
    }
}

/// The words of the interface in one language.
pub struct Text {
    // The shell and the layout.
    pub app_name: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_login: &'static str,
    pub nav_register: &'static str,
    pub nav_flash_demo: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_settings: &'static str,
    pub nav_session: &'static str,
    pub nav_account: &'static str,
    pub nav_logout: &'static str,
    pub nav_signed_in_as: &'static str,
    /// The language switch: its label, and the choice that follows the browser.
    pub language: &'static str,
    pub language_auto: &'static str,
    pub language_change: &'static str,
    pub flash_region_label: &'static str,
    pub flash_dismiss: &'static str,
    /// The box at the top of a form sent back with mistakes (the GOV.UK error summary).
    pub error_summary_title: &'static str,

    // Pages: each has a title (also the document's) and a description (`<meta>`).
    pub home_title: &'static str,
    pub home_description: &'static str,
    pub home_lead: &'static str,
    pub home_try_label: &'static str,
    pub home_try_button: &'static str,
    pub home_try_count: &'static str,
    pub demo_title: &'static str,
    pub demo_description: &'static str,
    pub demo_lead: &'static str,
    pub demo_redirect_button: &'static str,
    pub demo_now_button: &'static str,
    pub demo_now_hint: &'static str,
    pub demo_own_heading: &'static str,
    pub demo_own_message: &'static str,
    pub demo_own_category: &'static str,
    pub demo_own_button: &'static str,
    pub register_title: &'static str,
    pub register_description: &'static str,
    pub register_button: &'static str,
    pub register_have_account: &'static str,
    pub register_username_help: &'static str,
    pub register_password_help: &'static str,
    pub field_username: &'static str,
    pub field_email: &'static str,
    pub field_password: &'static str,
    pub field_remember: &'static str,
    pub login_title: &'static str,
    pub login_description: &'static str,
    pub login_button: &'static str,
    pub login_no_account: &'static str,
    pub login_forgot: &'static str,
    pub forgot_title: &'static str,
    pub forgot_description: &'static str,
    pub forgot_lead: &'static str,
    pub field_name_or_email: &'static str,
    pub forgot_button: &'static str,
    pub reset_title: &'static str,
    pub reset_description: &'static str,
    pub reset_button: &'static str,
    pub dashboard_title: &'static str,
    pub dashboard_greeting: &'static str,
    pub dashboard_session_heading: &'static str,
    pub dashboard_logged_in_at: &'static str,
    pub dashboard_expires_at: &'static str,
    pub dashboard_remembered: &'static str,
    pub dashboard_yes: &'static str,
    pub dashboard_no: &'static str,
    pub account_title: &'static str,
    pub account_description: &'static str,
    pub account_password_heading: &'static str,
    pub field_current_password: &'static str,
    pub field_new_password: &'static str,
    pub account_password_button: &'static str,
    pub account_delete_heading: &'static str,
    pub account_delete_lead: &'static str,
    pub field_confirm_password: &'static str,
    pub account_delete_button: &'static str,
    pub settings_title: &'static str,
    pub settings_description: &'static str,
    pub settings_lead: &'static str,
    pub settings_look: &'static str,
    pub settings_theme: &'static str,
    pub settings_theme_system: &'static str,
    pub settings_theme_light: &'static str,
    pub settings_theme_dark: &'static str,
    pub settings_density: &'static str,
    pub settings_density_comfortable: &'static str,
    pub settings_density_compact: &'static str,
    /// Whether success and info flashes go by themselves.
    pub settings_flashes: &'static str,
    pub settings_keep_flashes: &'static str,
    pub settings_save: &'static str,
    pub settings_reset: &'static str,
    pub devices_heading: &'static str,
    pub devices_lead: &'static str,
    pub devices_this_one: &'static str,
    pub devices_started: &'static str,
    pub devices_last_seen: &'static str,
    pub devices_remembered: &'static str,
    pub devices_sign_out: &'static str,
    pub devices_sign_out_others: &'static str,
    /// A device in the list: `{browser}` on `{system}` (`Firefox`, `Linux`), a browser on a
    /// known system, or neither known.
    pub device_browser_on: &'static str,
    pub device_some_browser_on: &'static str,
    pub device_unknown: &'static str,
    pub inspector_title: &'static str,
    pub inspector_lead: &'static str,
    pub inspector_fingerprint: &'static str,
    pub inspector_data_heading: &'static str,
    pub inspector_key: &'static str,
    pub inspector_value: &'static str,
    pub inspector_cookie_heading: &'static str,
    pub inspector_cookie_name: &'static str,
    pub inspector_cookie_path: &'static str,
    pub inspector_cookie_lifetime: &'static str,
    pub inspector_cookie_browser_session: &'static str,
    pub inspector_cookie_until: &'static str,
    pub inspector_lifetime_heading: &'static str,
    pub inspector_started: &'static str,
    pub inspector_last_seen: &'static str,
    pub inspector_expires: &'static str,
    pub inspector_why: &'static str,
    pub inspector_ending_idle: &'static str,
    pub inspector_ending_absolute: &'static str,
    pub inspector_ending_remembered: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub not_found_home_link: &'static str,
    pub yes: &'static str,
    pub no: &'static str,

    // Flash messages (see `Msg`).
    pub demo_success: &'static str,
    pub demo_warning: &'static str,
    pub demo_info: &'static str,
    pub demo_error: &'static str,
    pub demo_message: &'static str,
    pub demo_stock_alert: &'static str,
    pub demo_own_empty: &'static str,
    pub demo_own_bad_category: &'static str,
    pub register_username_missing: &'static str,
    pub register_username_length: &'static str,
    pub register_username_chars: &'static str,
    pub register_username_taken: &'static str,
    pub register_email_missing: &'static str,
    pub register_email_invalid: &'static str,
    pub register_password_missing: &'static str,
    pub register_password_length: &'static str,
    pub register_password_hint: &'static str,
    pub register_done: &'static str,
    pub login_missing: &'static str,
    pub login_failed: &'static str,
    /// `{name}`: the user name.
    pub login_welcome: &'static str,
    pub logout_done: &'static str,
    pub login_first: &'static str,
    pub session_ended: &'static str,
    /// `{seconds}`: how long to wait.
    pub throttled: Plural,
    pub settings_saved: &'static str,
    pub settings_invalid: &'static str,
    pub settings_reset_done: &'static str,
    pub language_invalid: &'static str,
    pub devices_signed_out_one: &'static str,
    pub devices_signed_out_others: Plural,
    pub devices_not_found: &'static str,
    pub account_current_password_missing: &'static str,
    pub account_current_password_wrong: &'static str,
    /// `{n}`: how many other devices were signed out.
    pub password_changed: Plural,
    pub account_delete_password_missing: &'static str,
    pub account_delete_password_wrong: &'static str,
    pub account_deleted: &'static str,
    pub forgot_missing: &'static str,
    /// The one answer to every "forgotten password" request; `{minutes}`: how long a link works.
    pub forgot_sent: &'static str,
    pub reset_invalid: &'static str,
    pub reset_done: &'static str,
    /// The reset mail: its subject, and its text (`{name}`, `{link}`, `{minutes}`).
    pub mail_reset_subject: &'static str,
    pub mail_reset_text: &'static str,

    // Errors.
    /// A server action whose request failed without an answer from the app (offline, say).
    pub action_unreachable: &'static str,
    /// A server-function call that could not be read; `{detail}` says why.
    pub error_bad_request: &'static str,
    /// The database cannot be used right now; nothing was changed.
    pub error_unavailable: &'static str,
    /// Anything else the server could not do.
    pub error_internal: &'static str,
    /// Plain-text answers of the HTTP layer: too many requests at once, one that took too
    /// long, a body over the limit.
    pub http_busy: &'static str,
    pub http_timed_out: &'static str,
    pub http_body_too_large: &'static str,
    /// A state change sent from another site's page (CSRF), refused.
    pub http_cross_site: &'static str,
    /// The page answered while the database cannot be used: its title, what happened to a
    /// change (a post), and the words for a page that could not be loaded.
    pub unavailable_title: &'static str,
    pub unavailable_nothing_changed: &'static str,
    pub unavailable_load: &'static str,

    // Dates and durations (`format.rs`).
    /// Month names, January first.
    pub months: [&'static str; 12],
    /// A date and time: `{year}`, `{month}` (the name), `{m}` (1-12), `{day}`, `{time}`
    /// (`HH:MM`).
    pub date_time: &'static str,
    pub days: Plural,
    pub hours: Plural,
    pub minutes: Plural,
    pub seconds: Plural,
    /// Between the parts of a duration (`1 hour 30 minutes`).
    pub duration_join: &'static str,
}

/// The interface's words in `lang`.
pub fn t(lang: Lang) -> &'static Text {
    match lang {
        Lang::En => &en::EN,
        Lang::ZhCn => &zh_cn::ZH_CN,
    }
}

/// `template` with each `{name}` replaced by its value, in one pass: a value is never searched
/// for placeholders itself (a user named `{link}` stays `{link}`), and a `{...}` with no value
/// stays as written. Pages call it for every date they show, so it allocates once.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(
        template.len() + values.iter().map(|(_, value)| value.len()).sum::<usize>(),
    );
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(wanted, _)| *wanted == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

#[cfg(test)]
mod fill_tests {
    use super::fill;

    #[test]
    fn each_placeholder_gets_its_value_once_and_values_are_not_searched() {
        assert_eq!(
            fill(
                "{day} {month} {year}",
                &[("year", "2026"), ("day", "1"), ("month", "Dec")]
            ),
            "1 Dec 2026"
        );
        assert_eq!(
            fill(
                "Hello {name}, see {link}",
                &[("name", "{link}"), ("link", "https://x")]
            ),
            "Hello {link}, see https://x"
        );
        assert_eq!(fill("{n}{n}", &[("n", "2")]), "22");
        assert_eq!(fill("no {such} {value", &[("n", "2")]), "no {such} {value");
        assert_eq!(fill("{{n}}", &[("n", "2")]), "{2}");
        assert_eq!(fill("", &[]), "");
        assert_eq!(fill("年{n}月", &[("n", "12")]), "年12月");
    }
}
