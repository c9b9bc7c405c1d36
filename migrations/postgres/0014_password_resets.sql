-- Password reset links: one row per link sent and not yet used. Only the SHA-256 of the token
-- is kept (the token itself is only in the mail), so a copy of the database opens no account.
-- A row goes when its link is used, when the user's password changes another way, when it has
-- expired (the pruner), and with its user.
CREATE TABLE password_resets (
    token_hash  TEXT    PRIMARY KEY NOT NULL,   -- hex SHA-256 of the token
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  BIGINT  NOT NULL                -- Unix seconds
);

CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);

-- The per-account limit on reset requests counts these events by the name or address typed.
CREATE INDEX auth_events_reset_requests ON auth_events (username_key, at)
    WHERE kind = 'reset_requested';
