//! The languages of the interface, and which one a request gets.
//!
//! A request's language is the visitor's explicit choice (kept in the session's preferences),
//! else the first language of its `Accept-Language` that the app speaks, else English. The web
//! layer decides it once per request (`web::language`) and leaves it in the request's
//! extensions; [`Lang::current`] reads it from there on the server, and from `<html lang>` in
//! the browser (the server rendered it, and the page never changes language without a reload).

use serde::{Deserialize, Serialize};

/// A language the interface is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag (`<html lang>`, the form value).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's name in itself, as a switch offers it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// The language of exactly this tag (case-insensitive).
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(tag))
    }

    /// The language that serves a browser's language `tag`: its primary subtag decides (`en-GB`
    /// is English; `zh`, `zh-Hans`, `zh-SG` and also `zh-TW` get Simplified Chinese, the only
    /// Chinese there is); `*` (any language) gets the default, English.
    pub fn serving(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") || primary == "*" {
            Some(Lang::En)
        } else if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhCn)
        } else {
            None
        }
    }

    /// Whether `n` takes the singular form (`Plural::one`) in this language.
    pub fn is_singular(self, n: u64) -> bool {
        match self {
            Lang::En => n == 1,
            // Chinese nouns have one form.
            Lang::ZhCn => false,
        }
    }
}

#[cfg(feature = "ssr")]
impl Lang {
    /// The first language of an `Accept-Language` value (by quality, then order) that the app
    /// speaks; `None` when it names none of them. Languages with `q=0` are refused, not asked
    /// for; an entry whose `q` is not a quality value (RFC 9110: `0` to `1`, at most three
    /// decimals) is ignored; only the first 32 entries and 512 bytes are read.
    ///
    /// Written here rather than with the `accept-language` crate, whose sort panics on a
    /// `q=NaN` (its order is not total, which Rust's sort may detect and refuse).
    pub fn from_accept_language(value: &str) -> Option<Self> {
        // Cut to 512 bytes, and then to the last whole entry (a cut `zh;q=0` must not read as
        // `zh;q`, which asks for Chinese).
        let value = match value.char_indices().find(|(at, _)| *at >= 512) {
            Some((cut, _)) => value[..cut].rsplit_once(',').map_or("", |(whole, _)| whole),
            None => value,
        };
        let mut asked: Vec<(u16, &str)> = value
            .split(',')
            .take(32)
            .filter_map(|entry| {
                let mut parts = entry.split(';');
                let tag = parts.next()?.trim();
                let quality = match parts.find_map(|param| {
                    let (name, value) = param.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("q")
                        .then_some(value.trim())
                }) {
                    Some(value) => quality_thousandths(value)?,
                    None => 1000,
                };
                (!tag.is_empty() && quality > 0).then_some((quality, tag))
            })
            .collect();
        // Stable: equal qualities keep the browser's order.
        asked.sort_by_key(|(quality, _)| std::cmp::Reverse(*quality));
        asked.into_iter().find_map(|(_, tag)| Self::serving(tag))
    }

    /// The language of a request: what the web layer decided (in its extensions), else its
    /// `Accept-Language`, else English.
    pub fn of_request(parts: &axum::http::request::Parts) -> Self {
        parts
            .extensions
            .get::<Lang>()
            .copied()
            .unwrap_or_else(|| Self::of_headers(&parts.headers))
    }

    /// The language an `Accept-Language` header asks for, else English.
    pub fn of_headers(headers: &axum::http::HeaderMap) -> Self {
        Self::of_header_value(headers.get(axum::http::header::ACCEPT_LANGUAGE))
    }

    /// The language an `Accept-Language` header's value (kept from a request) asks for, else
    /// English.
    pub fn of_header_value(value: Option<&axum::http::HeaderValue>) -> Self {
        value
            .and_then(|value| value.to_str().ok())
            .and_then(Self::from_accept_language)
            .unwrap_or_default()
    }

    /// The language of the current request (from the Leptos context: a page render or a server
    /// function); English outside one.
    pub fn current() -> Self {
        use leptos::prelude::{use_context, with_context};
        if let Some(lang) = use_context::<Lang>() {
            return lang;
        }
        with_context::<axum::http::request::Parts, _>(Self::of_request).unwrap_or_default()
    }
}

/// A quality value (`qvalue` of RFC 9110: `0`, `0.5`, `0.125`, `1`, `1.000`) in thousandths;
/// `None` for anything else.
#[cfg(feature = "ssr")]
fn quality_thousandths(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(fraction),
        "1" if fraction == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(not(feature = "ssr"))]
impl Lang {
    /// The page's language: the `lang` of `<html>`, as the server rendered it.
    pub fn current() -> Self {
        thread_local! {
            static PAGE: Lang = leptos::prelude::document()
                .document_element()
                .and_then(|html| html.get_attribute("lang"))
                .and_then(|tag| Lang::parse(&tag))
                .unwrap_or_default();
        }
        PAGE.with(|lang| *lang)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_language_spoken_by_quality() {
        let pick = Lang::from_accept_language;
        assert_eq!(pick("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::ZhCn));
        assert_eq!(pick("en-GB,en;q=0.9,zh-CN;q=0.8"), Some(Lang::En));
        assert_eq!(pick("de-DE, zh;q=0.5, en;q=0.3"), Some(Lang::ZhCn));
        assert_eq!(pick("en;q=0.2, zh-TW;q=0.7"), Some(Lang::ZhCn));
        assert_eq!(pick("zh-Hans-CN"), Some(Lang::ZhCn));
        assert_eq!(pick("fr, de"), None);
        assert_eq!(pick(""), None);
        // `*` is any language: the default, at its place in the order.
        assert_eq!(pick("*"), Some(Lang::En));
        assert_eq!(pick("*;q=0.9, zh;q=0.1"), Some(Lang::En));
        assert_eq!(pick("zh, *;q=0.5"), Some(Lang::ZhCn));
        // `q=0` means "not this one".
        assert_eq!(pick("zh;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(pick("zh;q=0"), None);
        // Not a quality value: the entry is ignored.
        assert_eq!(pick("zh;q=NaN, en;q=0.5"), Some(Lang::En));
        assert_eq!(
            pick("zh;q=1.5, zh;q=-1, zh;q=0.1234, zh;q=inf, en;q=0.001"),
            Some(Lang::En)
        );
        assert_eq!(pick("en;q=0.5, zh-CN;q=1.000"), Some(Lang::ZhCn));
        assert_eq!(pick("zh ; Q = 0.9 , en;q=0.8"), Some(Lang::ZhCn));
        // A sort that is not total must not be reachable: many NaN entries among real ones.
        let mixed: Vec<String> = (0..40)
            .map(|i| match i % 3 {
                0 => format!("x{i};q=NaN"),
                1 => format!("y{i};q=0.{i}"),
                _ => format!("z{i}"),
            })
            .collect();
        assert_eq!(pick(&mixed.join(",")), None);
        assert_eq!(
            pick(&format!("{},zh;q=0.1", mixed[..20].join(","))),
            Some(Lang::ZhCn)
        );
        // Garbage is no language, and never a panic.
        assert_eq!(pick(";;;,,,q=;=,"), None);
        assert_eq!(pick(&"x,".repeat(100_000)), None);
        assert_eq!(pick(&format!("{}zh", "x,".repeat(1000))), None);
        // A cut through the last entry drops it: `zh;q=0` is not read as `zh;q` (which would
        // ask for Chinese). Here the 512th byte falls just after `zh;q`.
        let prefix = format!("en;q=0.1,{},", "x".repeat(498));
        assert_eq!(prefix.len(), 508);
        assert_eq!(pick(&format!("{prefix}zh;q=0")), Some(Lang::En));
        assert_eq!(
            pick(&format!("{prefix}zh")),
            Some(Lang::ZhCn),
            "a whole last entry"
        );
    }

    #[test]
    fn tags_round_trip_and_serve_their_regional_variants() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.tag()), Some(lang));
            assert_eq!(Lang::serving(lang.tag()), Some(lang));
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{}\"", lang.tag()));
        }
        assert_eq!(Lang::parse("zh-cn"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh"), None);
        assert_eq!(Lang::serving("en_US"), Some(Lang::En));
        assert_eq!(Lang::serving("eng"), None);
    }
}
