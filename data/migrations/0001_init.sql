-- Customers of the brokerage. login_id is stored normalised (NFKC, lower case)
-- so every spelling of one ID is one account for throttling and lockout.
CREATE TABLE customers (
    id                     INTEGER PRIMARY KEY,
    account_number         TEXT    NOT NULL UNIQUE,
    login_id               TEXT    NOT NULL UNIQUE,
    name_kanji             TEXT    NOT NULL,
    name_kana              TEXT    NOT NULL,
    birth_date             TEXT    NOT NULL,
    email                  TEXT    NOT NULL DEFAULT '',
    -- 'verified' is the only status that makes the address usable for codes.
    email_status           TEXT    NOT NULL DEFAULT 'none' CHECK (email_status IN ('none', 'unverified', 'verified', 'invalid')),
    phone                  TEXT    NOT NULL DEFAULT '',
    phone_verified         INTEGER NOT NULL DEFAULT 0,
    password_hash          TEXT    NOT NULL,
    trading_password_hash  TEXT    NOT NULL,
    mfa_failures           INTEGER NOT NULL DEFAULT 0,
    mfa_last_failure_at    INTEGER NOT NULL DEFAULT 0,
    mfa_locked_until       INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);

-- Enrolled possession factors. confirmed_at is 0 while an enrolment is pending.
CREATE TABLE factors (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('totp', 'sms')),
    secret_enc      BLOB,
    phone           TEXT    NOT NULL DEFAULT '',
    use_login       INTEGER NOT NULL DEFAULT 0,
    use_account     INTEGER NOT NULL DEFAULT 0,
    use_withdrawal  INTEGER NOT NULL DEFAULT 0,
    -- TOTP replay guard: the last accepted time step; only later steps pass.
    last_step       INTEGER NOT NULL DEFAULT -1,
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX factors_customer ON factors(customer_id);

-- Server-side sessions. Only a SHA-256 of the cookie token is stored, so a
-- copy of the database cannot be replayed as cookies.
CREATE TABLE sessions (
    id_hash            TEXT    PRIMARY KEY,
    customer_id        INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    -- anonymous: visitor with a CSRF token; password: waiting for the second factor; full: logged in
    level              TEXT    NOT NULL CHECK (level IN ('anonymous', 'password', 'full')),
    csrf_token         TEXT    NOT NULL,
    method             TEXT    NOT NULL DEFAULT '',
    second_factor_at   INTEGER NOT NULL DEFAULT 0,
    client_ip          TEXT    NOT NULL DEFAULT '',
    user_agent         TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL
);
CREATE INDEX sessions_customer ON sessions(customer_id);
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);

-- One-time codes sent by SMS or email, bound to a purpose and the session
-- that asked for them. Only a keyed hash of the code is kept.
CREATE TABLE challenges (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    session_hash  TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    channel       TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    destination   TEXT    NOT NULL,
    code_hash     TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER NOT NULL DEFAULT 0,
    voided_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX challenges_session ON challenges(session_hash, purpose);
CREATE INDEX challenges_customer_created ON challenges(customer_id, created_at);

-- Failure counters for password throttling, keyed by account or client address.
CREATE TABLE throttles (
    key           TEXT    PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL
);

-- Every message to a customer, written in the same transaction as the change
-- that caused it, then delivered by the worker (or only shown, in dev).
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    kind          TEXT    NOT NULL,
    channel       TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient     TEXT    NOT NULL,
    subject       TEXT    NOT NULL DEFAULT '',
    body          TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'retrying')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX outbox_customer ON outbox(customer_id, id);
CREATE INDEX outbox_status ON outbox(status, id);

-- Append-only audit trail; each event carries the hash of the previous one.
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_kind    TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    customer_id   INTEGER,
    action        TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    client_ip     TEXT    NOT NULL DEFAULT '',
    detail        TEXT    NOT NULL DEFAULT '',
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
CREATE INDEX audit_customer ON audit_events(customer_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
