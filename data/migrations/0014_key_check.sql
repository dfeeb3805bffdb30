-- The key check: a constant sealed under the key the database's TOTP
-- secrets are under, opened at every start so that a wrong --secret-key
-- is refused at once instead of at the first login (docs/operations.md,
-- "Rotating the secret key"). One row; key_id names that key (mfa.KeyID).
--
-- Keyed hashes (recovery codes, temporary passes, one-time and
-- verification codes) now start with the id of the key that made them.
-- SQL cannot compute that id, so the rows made before this migration get
-- it when the key check is first written: at the first start or rekey
-- after the upgrade, with the key that opens the database's secrets.
CREATE TABLE key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sealed      BLOB    NOT NULL,
    key_id      TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);
