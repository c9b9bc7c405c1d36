//! The messages a flash can carry. A flash stores which message it is and its arguments (as
//! JSON: `{"key":"login_welcome","name":"ana"}`), not words, so it is shown in the language of
//! whoever sees it, even one chosen after it was pushed.

use serde::{Deserialize, Serialize};

use super::{Lang, fill, t};

/// A message of the catalogue. Its words in each language are in that language's [`super::Text`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "key", rename_all = "snake_case")]
pub enum Msg {
    // The flash demo.
    DemoSuccess,
    DemoWarning,
    DemoInfo,
    DemoError,
    DemoMessage,
    DemoStockAlert,
    DemoOwnEmpty,
    DemoOwnBadCategory,
    // Registration and log-in.
    RegisterUsernameMissing,
    RegisterUsernameLength,
    RegisterUsernameChars,
    RegisterUsernameTaken,
    RegisterEmailMissing,
    RegisterEmailInvalid,
    RegisterPasswordMissing,
    RegisterPasswordLength,
    RegisterPasswordHint,
    RegisterDone,
    LoginMissing,
    LoginFailed,
    LoginWelcome { name: String },
    LogoutDone,
    LoginFirst,
    SessionEnded,
    Throttled { seconds: u64 },
    // Preferences and devices.
    SettingsSaved,
    SettingsInvalid,
    SettingsResetDone,
    LanguageInvalid,
    DevicesSignedOutOne,
    DevicesSignedOutOthers { n: u64 },
    DevicesNotFound,
    // The account page.
    AccountCurrentPasswordMissing,
    AccountCurrentPasswordWrong,
    PasswordChanged { n: u64 },
    AccountDeletePasswordMissing,
    AccountDeletePasswordWrong,
    AccountDeleted,
    // A forgotten password.
    ForgotMissing,
    ForgotSent { minutes: u64 },
    ResetInvalid,
    ResetDone,
}

impl Msg {
    /// The message's words in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let text = t(lang);
        let words = match self {
            Msg::DemoSuccess => text.demo_success,
            Msg::DemoWarning => text.demo_warning,
            Msg::DemoInfo => text.demo_info,
            Msg::DemoError => text.demo_error,
            Msg::DemoMessage => text.demo_message,
            Msg::DemoStockAlert => text.demo_stock_alert,
            Msg::DemoOwnEmpty => text.demo_own_empty,
            Msg::DemoOwnBadCategory => text.demo_own_bad_category,
            Msg::RegisterUsernameMissing => text.register_username_missing,
            Msg::RegisterUsernameLength => text.register_username_length,
            Msg::RegisterUsernameChars => text.register_username_chars,
            Msg::RegisterUsernameTaken => text.register_username_taken,
            Msg::RegisterEmailMissing => text.register_email_missing,
            Msg::RegisterEmailInvalid => text.register_email_invalid,
            Msg::RegisterPasswordMissing => text.register_password_missing,
            Msg::RegisterPasswordLength => text.register_password_length,
            Msg::RegisterPasswordHint => text.register_password_hint,
            Msg::RegisterDone => text.register_done,
            Msg::LoginMissing => text.login_missing,
            Msg::LoginFailed => text.login_failed,
            Msg::LoginWelcome { name } => return fill(text.login_welcome, &[("name", name)]),
            Msg::LogoutDone => text.logout_done,
            Msg::LoginFirst => text.login_first,
            Msg::SessionEnded => text.session_ended,
            Msg::Throttled { seconds } => return text.throttled.of(*seconds, lang),
            Msg::SettingsSaved => text.settings_saved,
            Msg::SettingsInvalid => text.settings_invalid,
            Msg::SettingsResetDone => text.settings_reset_done,
            Msg::LanguageInvalid => text.language_invalid,
            Msg::DevicesSignedOutOne => text.devices_signed_out_one,
            Msg::DevicesSignedOutOthers { n } => {
                return text.devices_signed_out_others.of(*n, lang);
            }
            Msg::DevicesNotFound => text.devices_not_found,
            Msg::AccountCurrentPasswordMissing => text.account_current_password_missing,
            Msg::AccountCurrentPasswordWrong => text.account_current_password_wrong,
            Msg::PasswordChanged { n } => return text.password_changed.of(*n, lang),
            Msg::AccountDeletePasswordMissing => text.account_delete_password_missing,
            Msg::AccountDeletePasswordWrong => text.account_delete_password_wrong,
            Msg::AccountDeleted => text.account_deleted,
            Msg::ForgotMissing => text.forgot_missing,
            Msg::ForgotSent { minutes } => {
                return fill(text.forgot_sent, &[("minutes", &minutes.to_string())]);
            }
            Msg::ResetInvalid => text.reset_invalid,
            Msg::ResetDone => text.reset_done,
        };
        words.to_owned()
    }
}

/// What a flash says: a message of the catalogue, or text given verbatim (what a visitor typed
/// in the demo, or an app's own text pushed with `Flasher::push`), shown as it is in every
/// language. Serialized untagged: verbatim text is a JSON string, as flashes were stored before
/// they had keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Message {
    Verbatim(String),
    Said(Msg),
}

impl Message {
    /// The words in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Message::Verbatim(text) => text.clone(),
            Message::Said(msg) => msg.render(lang),
        }
    }
}

impl From<Msg> for Message {
    fn from(msg: Msg) -> Self {
        Message::Said(msg)
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Verbatim(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::Verbatim(text.to_owned())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn messages_are_stored_as_keys_and_rendered_per_language() {
        let welcome = Message::from(Msg::LoginWelcome { name: "ana".into() });
        let json = serde_json::to_string(&welcome).unwrap();
        assert_eq!(json, r#"{"key":"login_welcome","name":"ana"}"#);
        let back: Message = serde_json::from_str(&json).unwrap();
        assert_eq!(back.render(Lang::En), "Welcome back, ana!");
        assert_eq!(back.render(Lang::ZhCn), "欢迎回来，ana！");
        // Verbatim text, and flashes stored before keys, are plain strings.
        let typed: Message = serde_json::from_str(r#""{\"key\":\"x\"}""#).unwrap();
        assert_eq!(typed.render(Lang::ZhCn), r#"{"key":"x"}"#);
        assert!(serde_json::from_str::<Message>(r#"{"key":"no_such_message"}"#).is_err());
    }

    #[test]
    fn english_plurals_and_chinese_counters() {
        let others = |n| Msg::DevicesSignedOutOthers { n };
        assert_eq!(others(1).render(Lang::En), "Signed out 1 other device.");
        assert_eq!(others(3).render(Lang::En), "Signed out 3 other devices.");
        assert_eq!(others(0).render(Lang::En), "Signed out 0 other devices.");
        assert_eq!(others(3).render(Lang::ZhCn), "已退出其他 3 台设备。");
        let wait = |seconds| Msg::Throttled { seconds };
        assert!(wait(1).render(Lang::En).ends_with("in 1 second."));
        assert!(wait(30).render(Lang::En).ends_with("in 30 seconds."));
    }
}
