-- Password reset links: one row per link sent and not yet used. Only the SHA-256 of the token
-- is kept (the token itself is only in the mail), so a copy of the database opens no account.
-- A row goes when its link is used, when the user's password changes another way, when it has
-- expired (the pruner), and with its user.
CREATE TABLE password_resets (
    token_hash  TEXT    PRIMARY KEY NOT NULL,   -- hex SHA-256 of the token
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL                -- Unix seconds
);

CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);

-- The limits on reset links count these events: requests by the name or address typed, mails
-- by the address they went to.
CREATE INDEX auth_events_reset_requests ON auth_events (username_key, at)
    WHERE kind IN ('reset_requested', 'reset_mailed');

-- Deleting an account blanks its name, address and id in the event log: by these indexes, not
-- by a scan of the whole log under the write lock.
CREATE INDEX auth_events_user ON auth_events (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX auth_events_name ON auth_events (username_key) WHERE username_key IS NOT NULL;
