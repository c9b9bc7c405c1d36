-- Throttled attempts are logged aggregated: at most one `throttled` row per client address and
-- account per minute, with how many attempts it stands for (src/auth/events.rs).
ALTER TABLE auth_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;

CREATE INDEX auth_events_throttled ON auth_events (ip, at) WHERE kind = 'throttled';
-- The retention sweep deletes by age.
CREATE INDEX auth_events_at ON auth_events (at);
