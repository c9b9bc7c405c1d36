-- Session expiry as Unix seconds, with an index.
--
-- tower-sessions' SqliteStore wrote `expiry_date` as RFC 3339 text into this INTEGER column and
-- deleted expired rows with `datetime(expiry_date) < datetime('now')`, which no index can serve:
-- the sweeper read the whole table inside its write transaction (12.8 s for a million expired
-- sessions, every writer waiting). As integers the values compare directly, the index below
-- finds the expired ones, and loading a session filters on it for nothing. A value that cannot
-- be read as a date becomes 0: already expired, swept on the next round.
UPDATE tower_sessions
   SET expiry_date = coalesce(unixepoch(expiry_date), 0)
 WHERE typeof(expiry_date) <> 'integer';

CREATE INDEX tower_sessions_expiry ON tower_sessions (expiry_date);
