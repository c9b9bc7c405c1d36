-- The per-address log-in limits (src/auth/throttle.rs), kept in the database so that every
-- instance on it counts the same attempts: one row per client (an IPv4 address, or an IPv6 /64)
-- with the "theoretical arrival time" of the generic cell rate algorithm, in Unix milliseconds.
-- A row whose time has passed says no more than a missing one; the sweep deletes those.
CREATE TABLE ip_limits (
    client  TEXT   PRIMARY KEY,
    tat     BIGINT NOT NULL
);

CREATE INDEX ip_limits_tat ON ip_limits (tat);
