//! `flashboard user create|list|set-password|delete`. A password is read from a prompt that
//! does not echo it, or from the first line of standard input when that is not a terminal
//! (`printf '%s\n' "$PASSWORD" | flashboard user create ana --email ana@example.com`); never
//! from the command line, where other users of the machine could read it.

use std::io::{BufRead, IsTerminal};

use super::{OpsError, open, say, stored_user};
use crate::{
    auth::{
        form::{password_problem, username_key, validate_registration},
        password::Passwords,
    },
    db::users,
    text::{Lang, iso_time},
};

/// Reads a new password: twice at a terminal prompt (the two must match), else the first line
/// of standard input.
pub fn read_password(name: &str) -> Result<String, OpsError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            return Err(OpsError::Refused("the two passwords differ".into()));
        }
        return Ok(first);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    Ok(password.strip_suffix('\r').unwrap_or(password).to_owned())
}

/// Creates an account, by the rules of registration.
pub async fn create_user(name: &str, email: &str, password: String) -> Result<(), OpsError> {
    let user = validate_registration(name, email, &password).map_err(|problems| {
        let why: Vec<String> = problems
            .iter()
            .map(|(field, msg)| {
                let field = field.trim_start_matches("error_");
                format!("{field}: {}", msg.render(Lang::En))
            })
            .collect();
        OpsError::Refused(why.join("; "))
    })?;
    let (_, db) = open().await?;
    if users::name_taken(&db, &user.username_key).await? {
        return Err(OpsError::Refused(format!("the name {name:?} is taken")));
    }
    let hash = hasher()?.hash(password).await.map_err(refused)?;
    let row = users::NewUser {
        username: &user.username,
        username_key: &user.username_key,
        email: &user.email,
        password_hash: &hash,
    };
    let Some(id) = users::insert(&db, row).await? else {
        return Err(OpsError::Refused(format!("the name {name:?} is taken")));
    };
    db.close().await;
    say(format_args!("created user {} (id {id})", user.username));
    Ok(())
}

/// Prints every account: id, name, e-mail, when it was created and its live sessions.
pub async fn list_users() -> Result<(), OpsError> {
    let (config, db) = open().await?;
    let listed = users::list(&db, config.clock.now_unix()).await?;
    db.close().await;
    let width = listed
        .iter()
        .map(|u| u.username.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let email_width = listed
        .iter()
        .map(|u| u.email.len())
        .max()
        .unwrap_or(5)
        .max(5);
    say(format_args!(
        "{:>6}  {:width$}  {:email_width$}  {:20}  SESSIONS",
        "ID", "NAME", "EMAIL", "CREATED"
    ));
    for user in &listed {
        say(format_args!(
            "{:>6}  {:width$}  {:email_width$}  {:20}  {}",
            user.id,
            user.username,
            user.email,
            iso_time(user.created_at),
            user.sessions
        ));
    }
    say(format_args!("{} user(s)", listed.len()));
    Ok(())
}

/// Sets a user's password (by the rules of registration), voids their reset links and ends
/// every session of theirs, in one transaction.
pub async fn set_password(name: &str, password: String) -> Result<(), OpsError> {
    if let Some(problem) = password_problem(&password) {
        return Err(OpsError::Refused(problem.render(Lang::En)));
    }
    let (_, db) = open().await?;
    let user = stored_user(&db, name).await?;
    let hash = hasher()?.hash(password).await.map_err(refused)?;
    // One transaction: the password, the reset links voided, every session ended.
    let ended = users::change_password(&db, user.id, &hash, None, None)
        .await?
        .unwrap_or_default();
    db.close().await;
    say(format_args!(
        "password of {name} changed; {ended} session(s) ended"
    ));
    Ok(())
}

/// Deletes an account as its owner would (see `db::users::delete`).
pub async fn delete_user(name: &str) -> Result<(), OpsError> {
    let (_, db) = open().await?;
    let user = stored_user(&db, name).await?;
    let email_key = username_key(&user.email);
    users::delete(&db, user.id, &user.username_key, &email_key).await?;
    db.close().await;
    say(format_args!(
        "deleted user {name} (id {}) with their sessions; their auth events are kept without the name",
        user.id
    ));
    Ok(())
}

/// A hasher with one thread (one hash to do).
fn hasher() -> Result<Passwords, OpsError> {
    Passwords::new(1).map_err(refused)
}

fn refused(err: impl std::fmt::Display) -> OpsError {
    OpsError::Refused(format!("cannot hash the password: {err}"))
}
