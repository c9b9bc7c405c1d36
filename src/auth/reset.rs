//! Password reset links: a random token per link, sent only in the mail; the database keeps its
//! SHA-256 (`db::password_resets`), so neither a copy of the database nor its logs open an
//! account. A link works once, for [`LINK_LIFETIME_SECS`], and no longer once a newer one was
//! sent or the password changed another way (`db::users::change_password` deletes the user's
//! links with the change).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::db::{self, Db};

/// How long a link works after it was sent: 30 minutes.
pub const LINK_LIFETIME_SECS: i64 = 30 * 60;

/// Reset links one name or address may ask for in an hour; more are told to wait.
pub const REQUESTS_PER_HOUR: i64 = 3;

/// Random bytes in a token: 256 bits, past any guessing.
const TOKEN_BYTES: usize = 32;

/// A new link for `user_id` at `now`, which replaces the user's earlier ones: returns the
/// token to put in the mail.
pub async fn issue(db: &Db, user_id: i64, now: i64) -> sqlx::Result<String> {
    let mut random = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut random);
    let token = hex(&random);
    db::password_resets::replace(db, &link_hash(&token), user_id, now + LINK_LIFETIME_SECS).await?;
    Ok(token)
}

/// The user of the link `token` at `now`, if it would work (it is not used up here: the
/// password change that uses it does, `db::users::change_password`). A token of the wrong
/// shape is refused without a query.
pub async fn check(db: &Db, token: &str, now: i64) -> sqlx::Result<Option<i64>> {
    if !well_formed(token) {
        return Ok(None);
    }
    db::password_resets::peek(db, &link_hash(token), now).await
}

/// Whether a reset mail may go to `address` at `now`: at most [`REQUESTS_PER_HOUR`] an hour
/// to one address, however many accounts share it or names were typed (the app must not be a
/// way to flood someone's mailbox).
pub async fn may_mail(db: &Db, address: &str, now: i64) -> sqlx::Result<bool> {
    let key = super::form::username_key(address);
    let (count, _) = db::events::count_since(db, "reset_mailed", &key, now - 3600).await?;
    Ok(count < REQUESTS_PER_HOUR)
}

/// Whether a reset link may be asked for under `username_key` (the key of what was typed, a
/// name or an address, whether or not an account has it: so the answer tells nothing about
/// which accounts exist) at `now`: `Err` with the seconds to wait after
/// [`REQUESTS_PER_HOUR`] requests in the last hour.
pub async fn admit_request(db: &Db, username_key: &str, now: i64) -> sqlx::Result<Result<(), i64>> {
    let (count, first) =
        db::events::count_since(db, "reset_requested", username_key, now - 3600).await?;
    if count < REQUESTS_PER_HOUR {
        return Ok(Ok(()));
    }
    Ok(Err(first.map_or(1, |first| (first + 3600 - now).max(1))))
}

/// Whether `token` looks like one [`issue`] makes: 64 lower-case hex digits.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What the database keeps of the link `token`: its SHA-256, in hex.
pub fn link_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_for_shape_and_stored_hashed() {
        assert!(well_formed(&"0a".repeat(32)));
        assert!(!well_formed(&"0A".repeat(32)));
        assert!(!well_formed(&"0a".repeat(31)));
        assert!(!well_formed(""));
        assert!(!well_formed(&format!("{}é", "0".repeat(62))));
        let token = "0a".repeat(32);
        assert_eq!(link_hash(&token).len(), 64);
        assert_ne!(link_hash(&token), token);
    }
}
