-- One row per session: the facts the list of devices shows move into the session's own row.
--
-- They were kept in `user_sessions`, written beside the session record, so every save of a
-- logged-in session was a transaction of two statements: SQLite's write lock held across two
-- round trips to the connection's thread, and a window in which the two disagreed. Now a save
-- is one `UPDATE` and a new session one `INSERT` (src/session/store.rs), atomic by themselves.
--
-- `user_id` is set only while someone is logged in to the session; deleting the user deletes
-- their sessions (and so their flashes). The dashboard names a device by a fingerprint of its
-- session id (src/session/index.rs), never by the id itself.
ALTER TABLE tower_sessions ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE tower_sessions ADD COLUMN started_at INTEGER;   -- Unix seconds: log-in
ALTER TABLE tower_sessions ADD COLUMN last_seen INTEGER;    -- Unix seconds: last request
ALTER TABLE tower_sessions ADD COLUMN remembered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tower_sessions ADD COLUMN user_agent TEXT;      -- as sent, cut to 200 characters

UPDATE tower_sessions
   SET (user_id, started_at, last_seen, remembered, user_agent) =
       (SELECT user_id, started_at, last_seen, remembered, user_agent
          FROM user_sessions u WHERE u.session_id = tower_sessions.id)
 WHERE id IN (SELECT session_id FROM user_sessions);

DROP TABLE user_sessions;

CREATE INDEX tower_sessions_user ON tower_sessions (user_id) WHERE user_id IS NOT NULL;
