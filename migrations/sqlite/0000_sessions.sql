-- Server-side sessions: the record of each session, its data as one MessagePack blob
-- (tower-sessions' `Record`), and when it ends.
--
-- The table keeps the name and shape tower-sessions' SqliteStore gave it (databases created
-- before this migration existed already have it, hence `IF NOT EXISTS`). `expiry_date` is Unix
-- seconds (see 0005); `src/session/store.rs` is the only code that writes this table.
CREATE TABLE IF NOT EXISTS tower_sessions (
    id           TEXT    PRIMARY KEY NOT NULL,
    data         BLOB    NOT NULL,
    expiry_date  INTEGER NOT NULL
);
