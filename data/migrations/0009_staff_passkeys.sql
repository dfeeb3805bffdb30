-- Staff passkeys (docs/design.md §3). Kept apart from customers'
-- passkeys: a staff credential is looked up only by the console and a
-- customer's only by the customer site, so neither opens the other.
CREATE TABLE staff_passkeys (
    id              INTEGER PRIMARY KEY,
    staff_id        INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    credential_id   BLOB    NOT NULL UNIQUE,
    credential_json TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    -- set when a signature counter went backwards: possibly cloned, refused
    cloned          INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX staff_passkeys_staff ON staff_passkeys(staff_id);

-- The staff member's WebAuthn user handle: random, its own namespace (a
-- customer's handle is in customers), never the login ID.
ALTER TABLE staff ADD COLUMN webauthn_user_id BLOB;
CREATE UNIQUE INDEX staff_webauthn_user_id ON staff(webauthn_user_id);

-- Console-wide settings admins change, one row per setting; absent means
-- the default. Every change is audited.
CREATE TABLE console_settings (
    name        TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);
