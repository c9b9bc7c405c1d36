-- Which sessions belong to which user: the index behind the dashboard's list of devices and
-- "sign out other devices".
--
-- The session data itself is an opaque blob in `tower_sessions`; this table repeats, for
-- logged-in sessions only, what the list shows. The session store writes a row whenever it
-- writes a logged-in session (`src/session/index.rs`), and deleting the session (log-out,
-- expiry sweep, id cycling, signing out a device) deletes the row with it.
CREATE TABLE user_sessions (
    id          INTEGER PRIMARY KEY,  -- the handle the page uses; never the session id
    session_id  TEXT    NOT NULL UNIQUE REFERENCES tower_sessions (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,     -- Unix seconds
    last_seen   INTEGER NOT NULL,     -- Unix seconds
    remembered  INTEGER NOT NULL,     -- 1 with "remember me"
    user_agent  TEXT                  -- as sent by the browser, cut to 200 characters
);

CREATE INDEX user_sessions_user ON user_sessions (user_id);
