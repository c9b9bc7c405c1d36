//! The rules for the registration and log-in forms, as pure functions (no I/O).
//!
//! Each failure is a field-scoped flash category (`error_username`, ...) and a message of the
//! catalogue ([`Msg`]), shown in the viewer's language.

use unicode_normalization::UnicodeNormalization;

use crate::text::Msg;

/// Username length in characters (after normalization).
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 3..=32;
/// Password length in characters. The upper bound stops hashing-based denial of service.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;
/// Longest accepted e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;

/// A registration that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The name as the user typed it, NFC-normalized, for display.
    pub username: String,
    /// The comparison key: unique across users.
    pub username_key: String,
    pub email: String,
}

/// One problem with the submitted form: a flash category and its message.
pub type Problem = (&'static str, Msg);

/// The comparison form of a user name: NFKC, then lower case. Equal keys mean the same user.
/// Control characters are dropped (no name has one, and PostgreSQL refuses a NUL in text), so
/// no such key reaches the database; a log-in typed with one is refused before it is looked
/// up ([`plausible_login`]).
pub fn username_key(username: &str) -> String {
    username
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .nfkc()
        .collect::<String>()
        .to_lowercase()
}

/// Whether a log-in with these fields could succeed at all: a password outside
/// [`PASSWORD_CHARS`] or an absurdly long name matches no account (registration never accepts
/// them), so such an attempt is refused without a database lookup or a hash. The answer does not
/// depend on which accounts exist, so refusing early reveals nothing.
pub fn plausible_login(username: &str, password: &str) -> bool {
    username.trim().chars().count() <= 4 * USERNAME_CHARS.end()
        && !username.chars().any(char::is_control)
        && PASSWORD_CHARS.contains(&password.chars().count())
}

/// Checks a registration. `Ok` carries the normalized user; `Err` every problem found. The
/// password is checked here but never stored or echoed.
pub fn validate_registration(
    username: &str,
    email: &str,
    password: &str,
) -> Result<NewUser, Vec<Problem>> {
    let mut problems = Vec::new();

    let username: String = username.trim().nfc().collect();
    let length = username.chars().count();
    if username.is_empty() {
        problems.push(("error_username", Msg::RegisterUsernameMissing));
    } else if !USERNAME_CHARS.contains(&length) {
        problems.push(("error_username", Msg::RegisterUsernameLength));
    } else if !username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        problems.push(("error_username", Msg::RegisterUsernameChars));
    }

    let email = email.trim();
    if email.is_empty() {
        problems.push(("error_email", Msg::RegisterEmailMissing));
    } else if email.len() > EMAIL_MAX || !is_email(email) {
        problems.push(("error_email", Msg::RegisterEmailInvalid));
    }

    if let Some(problem) = password_problem(password) {
        problems.push(("error_password", problem));
    }

    if problems.is_empty() {
        Ok(NewUser {
            username_key: username_key(&username),
            username,
            email: email.to_owned(),
        })
    } else {
        Err(problems)
    }
}

/// What is wrong with a new password, if anything: the rules of registration, also for a
/// changed or reset password.
pub fn password_problem(password: &str) -> Option<Msg> {
    if password.is_empty() {
        Some(Msg::RegisterPasswordMissing)
    } else if !PASSWORD_CHARS.contains(&password.chars().count()) {
        Some(Msg::RegisterPasswordLength)
    } else {
        None
    }
}

/// A hint, not a rule: a password without an upper-case letter is allowed, but flashed about.
pub fn password_hint(password: &str) -> Option<Problem> {
    (!password.is_empty() && !password.chars().any(char::is_uppercase))
        .then_some(("info_password", Msg::RegisterPasswordHint))
}

/// A plausible address: `local@domain` with a dot in the domain, per the `email_address` crate.
fn is_email(email: &str) -> bool {
    email_address::EmailAddress::parse_with_options(
        email,
        email_address::Options::default().without_display_text(),
    )
    .is_ok_and(|address| address.domain().contains('.'))
}

/// Whether `next` is a safe place to go after logging in: a path on this site. Anything else
/// (another host, `//host`, a scheme, control characters) is refused.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && next.chars().all(|c| !c.is_control() && c != '\\');
    ok.then_some(next)
}

/// Percent-encodes `value` for a query string.
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn categories(result: Result<NewUser, Vec<Problem>>) -> Vec<&'static str> {
        result
            .err()
            .unwrap_or_default()
            .iter()
            .map(|(c, _)| *c)
            .collect()
    }

    #[test]
    fn a_good_registration_is_normalized() {
        let user =
            validate_registration("  Zoë_42 ", "zoe@example.com ", "Correct horse 1").unwrap();
        assert_eq!(user.username, "Zoë_42");
        assert_eq!(user.username_key, "zoë_42");
        assert_eq!(user.email, "zoe@example.com");
    }

    #[test]
    fn usernames_allow_letters_of_any_script_digits_and_three_marks() {
        for name in ["李小龙", "Ærøskøbing", "user.name-1_x", "Петя", "abc"] {
            assert!(
                validate_registration(name, "a@b.co", "password1").is_ok(),
                "{name}"
            );
        }
        for name in ["ab", "a b c", "bad!name", "semi;colon", &"x".repeat(33)] {
            assert_eq!(
                categories(validate_registration(name, "a@b.co", "password1")),
                ["error_username"],
                "{name}"
            );
        }
    }

    #[test]
    fn username_length_counts_characters_not_bytes() {
        assert!(validate_registration("李小", "a@b.co", "password1").is_err());
        assert!(validate_registration(&"é".repeat(32), "a@b.co", "password1").is_ok());
    }

    #[test]
    fn equal_names_have_equal_keys() {
        assert_eq!(username_key("Zoë"), username_key("ZOË"));
        assert_eq!(username_key("Zoë"), username_key("Zoe\u{308}"));
        assert_eq!(username_key("ｆｕｌｌ"), username_key("full"));
        assert_ne!(username_key("alice"), username_key("alicia"));
    }

    #[test]
    fn email_must_have_a_valid_shape() {
        for bad in [
            "",
            "no-at-sign",
            "a@",
            "@b.co",
            "a@b",
            "a b@c.co",
            "a@b..co",
        ] {
            assert_eq!(
                categories(validate_registration("alice", bad, "password1")),
                ["error_email"],
                "{bad:?}"
            );
        }
        assert!(validate_registration("alice", "a.b+tag@sub.example.org", "password1").is_ok());
    }

    #[test]
    fn implausible_log_ins_are_told_apart_without_looking() {
        assert!(plausible_login("alice", "Password123"));
        assert!(!plausible_login("alice", "short"));
        assert!(!plausible_login("alice", &"x".repeat(129)));
        assert!(!plausible_login(&"a".repeat(1000), "Password123"));
    }

    #[test]
    fn password_length_is_8_to_128_characters() {
        assert_eq!(
            categories(validate_registration("alice", "a@b.co", "1234567")),
            ["error_password"]
        );
        assert!(validate_registration("alice", "a@b.co", "12345678").is_ok());
        assert!(validate_registration("alice", "a@b.co", &"密".repeat(128)).is_ok());
        assert_eq!(
            categories(validate_registration("alice", "a@b.co", &"p".repeat(129))),
            ["error_password"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        assert_eq!(
            categories(validate_registration("", "", "")),
            ["error_username", "error_email", "error_password"]
        );
    }

    #[test]
    fn lowercase_password_gets_the_hint() {
        assert_eq!(
            password_hint("alllowercase1").map(|(c, _)| c),
            Some("info_password")
        );
        assert_eq!(password_hint("HasUpper1"), None);
        assert_eq!(password_hint(""), None);
    }

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next("/dashboard"), Some("/dashboard"));
        assert_eq!(safe_next("/settings?tab=1"), Some("/settings?tab=1"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "dashboard",
            "/a\r\nSet-Cookie: x=1",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
