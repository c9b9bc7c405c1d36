//! The outbox: each mail as a JSON file in a folder, newest last by name, instead of being sent.
//! `/dev/mailbox` lists them in dev mode; the tests read them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Mail;

/// A mail in the outbox: what was sent, when, and the message exactly as SMTP would carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// Unix seconds.
    pub at: i64,
    #[serde(flatten)]
    pub mail: Mail,
    /// The RFC 5322 message (headers and encoded body) lettre built.
    pub raw: String,
}

/// The outbox folder.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `stored` as a new file (whole, then renamed into place: a reader never sees half
    /// a mail).
    pub async fn put(&self, stored: &Stored) -> std::io::Result<()> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let mut random = [0u8; 6];
        argon2::password_hash::rand_core::RngCore::fill_bytes(
            &mut argon2::password_hash::rand_core::OsRng,
            &mut random,
        );
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let name = format!("{nanos:024}-{suffix}.json");
        let draft = self.dir.join(format!(".{name}.draft"));
        let json = serde_json::to_vec_pretty(stored).map_err(std::io::Error::other)?;
        // Readable by the server's user only: a reset link in it opens an account.
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&draft)
            .await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &json).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&draft, self.dir.join(name)).await
    }

    /// Every mail in the outbox, newest first (a folder that does not exist yet is empty; a
    /// file that cannot be read is skipped).
    pub async fn list(&self) -> std::io::Result<Vec<Stored>> {
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        let mut names = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort_unstable_by(|a, b| b.cmp(a));
        let mut mails = Vec::with_capacity(names.len());
        for name in names {
            let Ok(bytes) = tokio::fs::read(self.dir.join(&name)).await else {
                continue;
            };
            if let Ok(stored) = serde_json::from_slice(&bytes) {
                mails.push(stored);
            }
        }
        Ok(mails)
    }
}
