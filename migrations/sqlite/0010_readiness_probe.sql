-- The readiness probe's scratch row (`src/db_health.rs`): `/readyz` proves that the
-- database can be written by rewriting it, at most once a second, in one short transaction
-- that also takes 64 KB of room (`headroom`) and gives it back, so a full disk fails the probe.
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- When the last probe ran (Unix seconds).
    checked_at INTEGER NOT NULL,
    -- NULL between probes.
    headroom BLOB
);
