-- Device cookies (src/auth/device.rs): a failed log-in made with a valid device cookie for the
-- account counts against that device only; the account's shared delay counts the others.
ALTER TABLE auth_events ADD COLUMN device TEXT;

CREATE INDEX auth_events_device_failures ON auth_events (device, at)
    WHERE kind = 'login_failed' AND device IS NOT NULL;
