-- One row per pending flash message.
--
-- Flashes are kept beside the session records rather than inside the session's data blob: the
-- session store saves a whole blob per request, so the last request of a browser to finish
-- would overwrite (and lose) a flash that a concurrent request had just added. A row of its own
-- is written once when pushed and removed once when shown (`DELETE ... RETURNING`), so no other
-- request's save can touch it.
--
-- `session_id` is the id of a record in `tower_sessions` (the table tower-sessions' SqliteStore
-- creates at start-up, before these migrations run); deleting a session (log-out, expiry sweep,
-- id cycling) deletes its flashes with it.
CREATE TABLE flash (
    id          INTEGER PRIMARY KEY,                 -- order of arrival
    session_id  TEXT    NOT NULL REFERENCES tower_sessions (id) ON DELETE CASCADE,
    category    TEXT    NOT NULL,                    -- 'success', 'error_username', 'stock_alert', ...
    message     TEXT    NOT NULL,                    -- plain text; escaped when rendered
    created_at  INTEGER NOT NULL DEFAULT (unixepoch())
);

CREATE INDEX flash_session ON flash (session_id, id);
