//! `flashboard sessions list [--user NAME]` and `flashboard sessions purge --expired|--user NAME`.
//! Sessions are shown by fingerprint (as on the devices list), never by id: an id is a
//! bearer secret that would log in whoever reads it.

use super::{OpsError, open, say, stored_user};
use crate::{
    db::{sessions, user_sessions},
    db_health::DbHealth,
    session::{
        Lifetimes, SessionStore,
        user_sessions::{browser_name, fingerprint},
    },
    text::{Lang, iso_time},
};

/// Prints the live sessions (of the user `user` only, when given), most recently used first,
/// at most `limit`.
pub async fn list_sessions(user: Option<&str>, limit: u32) -> Result<(), OpsError> {
    let (config, db) = open().await?;
    let user_id = match user {
        Some(name) => Some(stored_user(&db, name).await?.id),
        None => None,
    };
    let now = config.clock.now_unix();
    let (live, total) = sessions::list_live(&db, now, user_id, i64::from(limit)).await?;
    db.close().await;
    let time = |unix: Option<i64>| unix.map_or_else(|| "-".to_owned(), iso_time);
    say(format_args!(
        "{:16}  {:16}  {:20}  {:20}  {:20}  {:10}  BROWSER",
        "SESSION", "USER", "STARTED", "LAST SEEN", "EXPIRES", "REMEMBERED"
    ));
    for session in &live {
        say(format_args!(
            "{:16}  {:16}  {:20}  {:20}  {:20}  {:10}  {}",
            fingerprint(&session.id),
            session.username.as_deref().unwrap_or("(visitor)"),
            time(session.started_at),
            time(session.last_seen),
            iso_time(session.expiry_date),
            if session.remembered { "yes" } else { "no" },
            browser_name(session.user_agent.as_deref(), Lang::En),
        ));
    }
    say(format_args!(
        "{} live session(s), {} shown",
        total,
        live.len()
    ));
    Ok(())
}

/// Deletes every expired session record now, in short batches as the server's sweeper does
/// (safe while the server runs).
pub async fn purge_expired_sessions() -> Result<(), OpsError> {
    let (config, db) = open().await?;
    let health = DbHealth::new(db.clone(), config.clock.clone());
    let lifetimes = Lifetimes::from_config(&config.session, config.clock.clone());
    let deleted = SessionStore::new(db.clone(), lifetimes, health)
        .sweep()
        .await?;
    db.close().await;
    say(format_args!("{deleted} expired session(s) deleted"));
    Ok(())
}

/// Ends every session of the user `name` (their cookies stop working at once).
pub async fn purge_user_sessions(name: &str) -> Result<(), OpsError> {
    let (_, db) = open().await?;
    let user = stored_user(&db, name).await?;
    let ended = user_sessions::delete_all(&db, user.id).await?;
    db.close().await;
    say(format_args!("{ended} session(s) of {name} ended"));
    Ok(())
}
