//! Category names and the style each one gets.

/// The category of a flash pushed without one.
pub const DEFAULT_CATEGORY: &str = "message";

/// The longest category name accepted.
pub const MAX_CATEGORY_LEN: usize = 64;

/// The style of a flash, decided by its category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `success`: green; dismisses itself.
    Success,
    /// `error`: red, announced at once (`role="alert"`); never dismisses itself.
    Error,
    /// `warning`: amber.
    Warning,
    /// `info`: blue; dismisses itself.
    Info,
    /// `message` and any custom category: neutral.
    Neutral,
}

const LEVELS: [(&str, Level); 5] = [
    ("success", Level::Success),
    ("error", Level::Error),
    ("warning", Level::Warning),
    ("info", Level::Info),
    ("message", Level::Neutral),
];

impl Level {
    /// `success` -> Success, `error_username` -> Error, `stock_alert` -> Neutral.
    pub fn of(category: &str) -> Level {
        let base = category
            .split_once('_')
            .map_or(category, |(level, _)| level);
        LEVELS
            .iter()
            .find(|(name, _)| *name == category || *name == base)
            .map_or(Level::Neutral, |(_, level)| *level)
    }

    /// The CSS class suffix: `flash-success`, ..., `flash-neutral`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Success => "success",
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Neutral => "neutral",
        }
    }

    /// Whether a flash of this level hides itself after a while (success and info only).
    pub fn auto_dismisses(self) -> bool {
        matches!(self, Level::Success | Level::Info)
    }
}

/// The field a field-scoped category names: `<built-in level>_<field>`, e.g. `error_username`,
/// `info_password`. `stock_alert` is not field-scoped (`stock` is no level).
pub fn field_of(category: &str) -> Option<&str> {
    let (level, field) = category.split_once('_')?;
    (!field.is_empty() && LEVELS.iter().any(|(name, _)| *name == level)).then_some(field)
}

/// Whether `category` can be used: 1 to 64 ASCII letters, digits, `_` or `-`, so that it is
/// safe as a CSS class name and a data attribute.
pub fn valid_category(category: &str) -> bool {
    !category.is_empty()
        && category.len() <= MAX_CATEGORY_LEN
        && category
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_categories_have_their_own_level() {
        assert_eq!(Level::of("success"), Level::Success);
        assert_eq!(Level::of("error"), Level::Error);
        assert_eq!(Level::of("warning"), Level::Warning);
        assert_eq!(Level::of("info"), Level::Info);
        assert_eq!(Level::of("message"), Level::Neutral);
    }

    #[test]
    fn custom_categories_are_neutral() {
        assert_eq!(Level::of("stock_alert"), Level::Neutral);
        assert_eq!(Level::of("promo"), Level::Neutral);
        assert_eq!(field_of("stock_alert"), None);
    }

    #[test]
    fn field_scoped_categories_take_the_level_and_name_the_field() {
        assert_eq!(Level::of("error_username"), Level::Error);
        assert_eq!(Level::of("info_password"), Level::Info);
        assert_eq!(field_of("error_username"), Some("username"));
        assert_eq!(field_of("warning_password"), Some("password"));
        assert_eq!(field_of("error"), None);
        assert_eq!(field_of("error_"), None);
    }

    #[test]
    fn roles_and_auto_dismissal_follow_the_level() {
        assert!(Level::Success.auto_dismisses());
        assert!(Level::Info.auto_dismisses());
        assert!(!Level::Error.auto_dismisses());
        assert!(!Level::Warning.auto_dismisses());
        assert!(!Level::Neutral.auto_dismisses());
    }

    #[test]
    fn category_names_are_checked() {
        assert!(valid_category("stock_alert"));
        assert!(valid_category("error_username"));
        assert!(!valid_category(""));
        assert!(!valid_category("two words"));
        assert!(!valid_category("x\"onmouseover=alert(1)"));
        assert!(!valid_category(&"a".repeat(MAX_CATEGORY_LEN + 1)));
    }
}
