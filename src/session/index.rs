//! The `user_sessions` table: which live sessions belong to which user (migration
//! `0003_user_sessions.sql`). Written by the session store alongside every write of a session
//! record, read by the devices list, and the way to end another device's session.

use sqlx::{SqliteConnection, SqlitePool};
use tower_sessions::session::Record;

use super::{
    keys::{LOGIN_KEY, Login},
    lifetime::{META_KEY, Meta},
};

/// One logged-in session of a user, as the devices list shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    /// The row id: the handle the page may use. Never the session id.
    pub id: i64,
    pub session_id: String,
    pub started_at: i64,
    pub last_seen: i64,
    pub remembered: bool,
    pub user_agent: Option<String>,
}

/// Brings the row of `record` up to date: written for a logged-in session, removed otherwise.
/// Call it after the session row itself was written, in the same transaction where there is one.
pub async fn write(conn: &mut SqliteConnection, record: &Record) -> sqlx::Result<()> {
    let value = |key: &str| record.data.get(key).cloned();
    let login = value(LOGIN_KEY).and_then(|v| serde_json::from_value::<Login>(v).ok());
    let meta = value(META_KEY).and_then(|v| serde_json::from_value::<Meta>(v).ok());
    let id = record.id.to_string();
    match (login, meta) {
        (Some(login), Some(meta)) => {
            sqlx::query(
                "INSERT INTO user_sessions \
                   (session_id, user_id, started_at, last_seen, remembered, user_agent) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (session_id) DO UPDATE SET \
                   user_id = excluded.user_id, started_at = excluded.started_at, \
                   last_seen = excluded.last_seen, remembered = excluded.remembered, \
                   user_agent = excluded.user_agent",
            )
            .bind(id)
            .bind(login.user_id)
            .bind(meta.started_at)
            .bind(meta.last_seen)
            .bind(meta.remembered_until.is_some())
            .bind(meta.user_agent)
            .execute(conn)
            .await?;
        }
        _ => {
            sqlx::query("DELETE FROM user_sessions WHERE session_id = ?")
                .bind(id)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// The live sessions of `user_id`, most recently used first.
pub async fn list(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT u.id, u.session_id, u.started_at, u.last_seen, u.remembered, u.user_agent \
         FROM user_sessions u JOIN tower_sessions s ON s.id = u.session_id \
         WHERE u.user_id = ? AND s.expiry_date > ? \
         ORDER BY u.last_seen DESC, u.id DESC",
    )
    .bind(user_id)
    .bind(super::lifetime::now_unix())
    .fetch_all(pool)
    .await
}

/// Ends the session with handle `entry` of `user_id`, unless it is `current` (the caller's own
/// session ends by logging out). Deleting the record makes its cookie worthless at once; its
/// flashes and its row here go with it. Returns whether a session was ended.
pub async fn sign_out(
    pool: &SqlitePool,
    user_id: i64,
    entry: i64,
    current: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM tower_sessions WHERE id = \
           (SELECT session_id FROM user_sessions WHERE id = ? AND user_id = ? AND session_id <> ?)",
    )
    .bind(entry)
    .bind(user_id)
    .bind(current)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of `user_id` but `current`. Returns how many.
pub async fn sign_out_others(pool: &SqlitePool, user_id: i64, current: &str) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM tower_sessions WHERE id IN \
           (SELECT session_id FROM user_sessions WHERE user_id = ? AND session_id <> ?)",
    )
    .bind(user_id)
    .bind(current)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// A short name for the browser behind a `User-Agent`, such as "Firefox on Linux". Only for
/// telling one's own devices apart, so a few families suffice; anything else is "Unknown
/// browser", and the full string is on the session page.
pub fn browser_name(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent else {
        return "Unknown browser".to_owned();
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
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "Unknown browser".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::browser_name;

    #[test]
    fn names_common_browsers() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(browser_name(Some(firefox)), "Firefox on Linux");
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
