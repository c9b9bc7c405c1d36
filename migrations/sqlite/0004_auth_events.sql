-- The authentication event log: every registration, log-in, failed log-in, throttled attempt
-- and log-out, with its time and client IP. Never a password, a hash or a session id.
--
-- Failed log-ins per account (`username_key`, the comparison form of the name typed, whether or
-- not such a user exists) also drive the per-account throttling (src/auth/throttle.rs).
CREATE TABLE auth_events (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,   -- Unix seconds
    kind          TEXT    NOT NULL,   -- 'register', 'login', 'login_failed', 'throttled', 'logout'
    user_id       INTEGER,            -- when known; kept if the user is deleted later
    username      TEXT,               -- as typed (trimmed, cut to 64 characters)
    username_key  TEXT,
    ip            TEXT    NOT NULL
);

CREATE INDEX auth_events_failures ON auth_events (username_key, at) WHERE kind = 'login_failed';
