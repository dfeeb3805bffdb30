-- Passkeys (WebAuthn discoverable credentials with user verification).
-- The library's credential record is kept as JSON; the columns beside it
-- are what queries need.
CREATE TABLE passkeys (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    credential_id   BLOB    NOT NULL UNIQUE,
    credential_json TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    -- set when a signature counter went backwards: possibly cloned, refused
    cloned          INTEGER NOT NULL DEFAULT 0,
    use_login       INTEGER NOT NULL DEFAULT 1,
    use_account     INTEGER NOT NULL DEFAULT 1,
    use_withdrawal  INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX passkeys_customer ON passkeys(customer_id);

-- The WebAuthn user handle: random, never the account number or login ID,
-- so a credential reveals nothing about the account.
ALTER TABLE customers ADD COLUMN webauthn_user_id BLOB;
CREATE UNIQUE INDEX customers_webauthn_user_id ON customers(webauthn_user_id);
-- How many times the customer postponed the prompt to register a passkey.
ALTER TABLE customers ADD COLUMN passkey_prompts_postponed INTEGER NOT NULL DEFAULT 0;

-- WebAuthn ceremonies in progress: the challenge is random, bound to the
-- session, expires quickly and is deleted when used (single use).
CREATE TABLE webauthn_ceremonies (
    session_hash  TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (session_hash, kind)
);

-- Browsers a customer has logged in from, to tell them about a new one.
-- Only a hash of the device cookie is stored.
CREATE TABLE known_devices (
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    device_hash   TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL DEFAULT '',
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (customer_id, device_hash)
);
