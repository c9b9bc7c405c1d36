-- Flashboard's schema on PostgreSQL, in one migration: the state the SQLite migrations in
-- `migrations/sqlite/` reach after `0010_readiness_probe.sql`, with the same tables, columns,
-- indexes and meaning (read those files for why each exists). The differences are only of
-- dialect:
--
-- - ids are `BIGINT GENERATED ALWAYS AS IDENTITY` (SQLite's `INTEGER PRIMARY KEY`);
-- - times are `BIGINT` Unix seconds, as on SQLite (the app reads and writes integers);
-- - blobs are `BYTEA`, `remembered` is a `BOOLEAN`;
-- - `tower_sessions.seq` is the insertion order SQLite keeps as its `rowid` (the devices
--   list breaks ties with it).

-- Registered users; `username_key` (NFKC + lower case) makes names unique case-insensitively.
CREATE TABLE users (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       TEXT   NOT NULL,
    username_key   TEXT   NOT NULL UNIQUE,
    email          TEXT   NOT NULL,
    password_hash  TEXT   NOT NULL,   -- PHC string: $argon2id$v=19$m=19456,t=2,p=1$...
    created_at     BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint
);

-- Server-side sessions: the encoded record, its expiry, a version counted up by each save,
-- and (while someone is logged in) the facts the list of devices shows.
CREATE TABLE tower_sessions (
    id           TEXT    PRIMARY KEY,
    data         BYTEA   NOT NULL,
    expiry_date  BIGINT  NOT NULL,   -- Unix seconds; negative while not yet alive
    user_id      BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    started_at   BIGINT,             -- Unix seconds: log-in
    last_seen    BIGINT,             -- Unix seconds: last request
    remembered   BOOLEAN NOT NULL DEFAULT false,
    user_agent   TEXT,               -- as sent, cut to 200 characters
    version      BIGINT  NOT NULL DEFAULT 0,
    seq          BIGINT  GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX tower_sessions_expiry ON tower_sessions (expiry_date);
CREATE INDEX tower_sessions_user ON tower_sessions (user_id) WHERE user_id IS NOT NULL;

-- One row per pending flash message, deleted with its session.
CREATE TABLE flash (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- order of arrival
    session_id  TEXT   NOT NULL REFERENCES tower_sessions (id) ON DELETE CASCADE,
    category    TEXT   NOT NULL,
    message     TEXT   NOT NULL,   -- plain text; escaped when rendered
    created_at  BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint
);

CREATE INDEX flash_session ON flash (session_id, id);

-- The authentication event log (never a password, a hash or a session id); failed log-ins
-- drive the per-account and per-device throttling.
CREATE TABLE auth_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            BIGINT NOT NULL,   -- Unix seconds
    kind          TEXT   NOT NULL,   -- 'register', 'login', 'login_failed', 'throttled', 'logout'
    user_id       BIGINT,            -- when known; kept if the user is deleted later
    username      TEXT,              -- as typed (trimmed, cut to 64 characters)
    username_key  TEXT,
    ip            TEXT   NOT NULL,
    device        TEXT,
    count         BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX auth_events_failures ON auth_events (username_key, at) WHERE kind = 'login_failed';
CREATE INDEX auth_events_device_failures ON auth_events (device, at)
    WHERE kind = 'login_failed' AND device IS NOT NULL;
CREATE INDEX auth_events_throttled ON auth_events (ip, at) WHERE kind = 'throttled';
CREATE INDEX auth_events_at ON auth_events (at);

-- The readiness probe's scratch row (`src/db_health`).
CREATE TABLE readiness_probe (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at  BIGINT NOT NULL,   -- Unix seconds
    headroom    BYTEA              -- NULL between probes
);
