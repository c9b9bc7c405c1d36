-- Log-in attempts being evaluated right now (src/auth/throttle.rs): a row from the moment an
-- attempt is admitted, before its password hash, until its answer (a failure is recorded in
-- `auth_events` first). Each counts as a failure for the attempts that follow, so simultaneous
-- wrong passwords cannot all pass the check made before their hash, on any instance. A row
-- older than a minute is an attempt whose instance died: no longer counted, and pruned.
CREATE TABLE login_attempts (
    id          INTEGER PRIMARY KEY,
    slot        TEXT    NOT NULL,   -- the account's `username_key`, or 'device <id>'
    started_at  INTEGER NOT NULL    -- Unix seconds
);

CREATE INDEX login_attempts_slot ON login_attempts (slot, started_at);
