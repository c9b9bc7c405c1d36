-- Each save of a session record counts up its version, so that a request that loaded an older
-- version merges the keys it changed into the newer one instead of writing its whole stale copy
-- back (src/session/merge.rs).
ALTER TABLE tower_sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
