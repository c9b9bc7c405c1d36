//! `flashboard backup PATH`: a consistent copy of the SQLite database, taken while the server
//! runs (SQLite's `VACUUM INTO`: one read transaction, so the copy is the database as it was at
//! one moment, compacted). PostgreSQL has its own tools (`pg_dump`).

use std::path::Path;

use super::{OpsError, open, say};
use crate::db::Backend;

/// Writes the copy to `path`, a file that must not exist yet.
pub async fn backup(path: &Path) -> Result<(), OpsError> {
    if path.exists() {
        return Err(OpsError::Refused(format!(
            "{} already exists; a backup is written to a new file",
            path.display()
        )));
    }
    let (_, db) = open().await?;
    if db.backend() != Backend::Sqlite {
        db.close().await;
        return Err(OpsError::Refused(
            "backup copies an SQLite database; for PostgreSQL use pg_dump".into(),
        ));
    }
    let target = path
        .to_str()
        .ok_or_else(|| OpsError::Refused(format!("{} is not a UTF-8 path", path.display())))?;
    // Created empty first, readable by this user only: the copy holds session ids, which log in
    // whoever reads them (`VACUUM INTO` fills an empty file).
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
    }
    let copied = crate::db::backup::vacuum_into(&db, target).await;
    db.close().await;
    if let Err(err) = copied {
        let _ = std::fs::remove_file(path);
        return Err(err.into());
    }
    let bytes = std::fs::metadata(path)?.len();
    say(format_args!(
        "backed up the database to {} ({bytes} bytes)",
        path.display()
    ));
    Ok(())
}
