//! Which live sessions belong to which user: the device columns of `tower_sessions`
//! (migration `0006_session_devices.sql`), written by the session store with every write of a
//! record, read by the devices list, and the way to end another device's session.

use sha2::{Digest, Sha256};
use tower_sessions::session::Record;

use super::{
    keys::{LOGIN_KEY, Login},
    lifetime::{META_KEY, Meta},
};
pub use crate::db::user_sessions::Entry;
use crate::{
    db::{self, Db, sessions::DeviceColumns},
    text::{Lang, fill, t},
};

/// The device columns for `record`: its user and session facts when logged in, empty
/// otherwise.
pub fn device_columns(record: &Record) -> DeviceColumns {
    let value = |key: &str| record.data.get(key).cloned();
    let login = value(LOGIN_KEY).and_then(|v| serde_json::from_value::<Login>(v).ok());
    let meta = value(META_KEY).and_then(|v| serde_json::from_value::<Meta>(v).ok());
    match (login, meta) {
        (Some(login), Some(meta)) => DeviceColumns {
            user_id: Some(login.user_id),
            started_at: Some(meta.started_at),
            last_seen: Some(meta.last_seen),
            remembered: meta.remembered_until.is_some(),
            user_agent: meta.user_agent,
        },
        _ => DeviceColumns::default(),
    }
}

/// The handle the page may use for a session: its fingerprint, never its id.
pub fn handle(entry: &Entry) -> String {
    fingerprint(&entry.session_id)
}

/// The first 8 bytes of SHA-256(session id) in hex: enough to tell a user's sessions apart,
/// useless to anyone who would like to use the id.
pub fn fingerprint(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The live sessions of `user_id`, most recently used first.
pub async fn list(db: &Db, user_id: i64, now: i64) -> sqlx::Result<Vec<Entry>> {
    db::user_sessions::list(db, user_id, now).await
}

/// Ends the session of `user_id` whose [`fingerprint`] is `handle`, unless it is `current`
/// (the caller's own session ends by logging out). Deleting the record makes its cookie
/// worthless at once; its flashes go with it. Returns whether a session was ended.
pub async fn sign_out(
    db: &Db,
    user_id: i64,
    handle: &str,
    current: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let Some(session_id) = list(db, user_id, now)
        .await?
        .into_iter()
        .find(|entry| self::handle(entry) == handle && entry.session_id != current)
        .map(|entry| entry.session_id)
    else {
        return Ok(false);
    };
    db::user_sessions::delete(db, user_id, &session_id).await
}

/// Ends every session of `user_id` but `current`. Returns how many.
pub async fn sign_out_others(db: &Db, user_id: i64, current: &str) -> sqlx::Result<u64> {
    db::user_sessions::delete_others(db, user_id, current).await
}

/// A short name for the browser behind a `User-Agent`, such as "Firefox on Linux". Only for
/// telling one's own devices apart, so a few families suffice; anything else is "Unknown
/// browser", and the full string is on the session page.
pub fn browser_name(user_agent: Option<&str>, lang: Lang) -> String {
    let text = t(lang);
    let Some(ua) = user_agent else {
        return text.device_unknown.to_owned();
    };
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => fill(
            text.device_browser_on,
            &[("browser", browser), ("system", system)],
        ),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => fill(text.device_some_browser_on, &[("system", system)]),
        (None, None) => text.device_unknown.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::browser_name as name;
    use crate::text::Lang;

    fn browser_name(user_agent: Option<&str>) -> String {
        name(user_agent, Lang::En)
    }

    #[test]
    fn names_common_browsers() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(browser_name(Some(firefox)), "Firefox on Linux");
        assert_eq!(name(Some(firefox), Lang::ZhCn), "Linux 上的 Firefox");
        assert_eq!(name(Some("Linux"), Lang::ZhCn), "Linux 上的浏览器");
        assert_eq!(name(None, Lang::ZhCn), "未知浏览器");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0";
        assert_eq!(browser_name(Some(edge)), "Edge on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_name(Some(safari)), "Safari on iOS");
        assert_eq!(browser_name(Some("something")), "Unknown browser");
        assert_eq!(browser_name(None), "Unknown browser");
    }
}
