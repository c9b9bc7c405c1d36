-- Registered users.
--
-- `username` is kept as typed (after Unicode NFC normalization) for display;
-- `username_key` is its comparison form (NFKC + lower case) and is what makes names unique
-- case-insensitively: "Zoë", "ZOË" and "zoe\u0308" are one name. The unique index, not a
-- check before the insert, is what makes concurrent registrations of one name create one user.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL,
    username_key   TEXT    NOT NULL UNIQUE,
    email          TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,   -- PHC string: $argon2id$v=19$m=19456,t=2,p=1$...
    created_at     INTEGER NOT NULL DEFAULT (unixepoch())
);
