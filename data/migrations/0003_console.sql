-- The support console: organisations, staff, cases, identity
-- verifications, the audit trail's staff columns and the customer search index.

-- An organisation is a casbin domain: the support centre, a partner shop,
-- compliance. Partner shops have ids starting with "shop-", which the
-- policy's domain patterns rely on.
CREATE TABLE organisations (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('centre', 'partner', 'compliance')),
    created_at  INTEGER NOT NULL
);
-- The brokerage's own two; partner shops are added with "mfadesk staff org".
INSERT INTO organisations (id, name, kind, created_at) VALUES
    ('support', 'サポートセンター', 'centre', 0),
    ('compliance', 'コンプライアンス部', 'compliance', 0);

-- Staff accounts. The role and active flag are read from here on every
-- request (docs/security.md S29), never trusted from the session.
CREATE TABLE staff (
    id                INTEGER PRIMARY KEY,
    login_id          TEXT    NOT NULL UNIQUE,
    name              TEXT    NOT NULL,
    role              TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'partner', 'auditor')),
    org_id            TEXT    NOT NULL REFERENCES organisations(id),
    password_hash     TEXT    NOT NULL,
    -- TOTP is mandatory: NULL until the first login enrols it. A pending
    -- secret waits here until a code from the new app confirms it.
    totp_secret_enc   BLOB,
    totp_pending_enc  BLOB,
    -- TOTP replay guard: the last accepted time step.
    totp_last_step    INTEGER NOT NULL DEFAULT -1,
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX staff_org ON staff(org_id);

-- A case (受付): every console action on a customer hangs off one.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    org_id       TEXT    NOT NULL REFERENCES organisations(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    channel      TEXT    NOT NULL CHECK (channel IN ('phone', 'shop', 'email', 'chat')),
    reason       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_at    INTEGER NOT NULL,
    closed_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_customer ON cases(customer_id, id);
CREATE INDEX cases_staff ON cases(staff_id, id);
CREATE INDEX cases_org ON cases(org_id, status, id);

CREATE TABLE case_notes (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

-- Identity verifications on a case. A passed one counts until valid_until
-- (15 minutes). Possession and postal codes are kept only as keyed hashes.
CREATE TABLE verifications (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    method       TEXT    NOT NULL CHECK (method IN ('knowledge', 'possession', 'document', 'postal')),
    strength     TEXT    NOT NULL CHECK (strength IN ('weak', 'strong')),
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'passed', 'failed', 'voided')),
    -- masked: e.g. "channel=sms to=***-****-0002" or "document=license last4=1234"
    detail       TEXT    NOT NULL DEFAULT '',
    code_hash    TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    passed_at    INTEGER NOT NULL DEFAULT 0,
    valid_until  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX verifications_case ON verifications(case_id, id);

-- Letters with postal verification codes (転送不要郵便), for the mail house
-- to print and send to the registered address.
CREATE TABLE postal_letters (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    body         TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'printed')),
    created_at   INTEGER NOT NULL
);

-- Who did it, in which role and organisation, on which case. Part of the
-- hash chain for events that have them.
ALTER TABLE audit_events ADD COLUMN staff_id INTEGER;
ALTER TABLE audit_events ADD COLUMN staff_role TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN staff_org TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN case_id INTEGER;
CREATE INDEX audit_staff ON audit_events(staff_id, id);
CREATE INDEX audit_case ON audit_events(case_id, id);
CREATE INDEX audit_action ON audit_events(action, id);
CREATE INDEX audit_at ON audit_events(at);

-- Customer search: one row per search key (account number, login ID,
-- names with and without the family name, phone digits, email), so every
-- search is a range scan of one index, also on a million customers.
-- Triggers keep it in step with customers.
CREATE TABLE customer_search (
    key          TEXT    NOT NULL,
    customer_id  INTEGER NOT NULL,
    PRIMARY KEY (key, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_search_customer ON customer_search(customer_id);

CREATE VIEW customer_search_keys AS
SELECT id AS customer_id, account_number AS key FROM customers
UNION ALL SELECT id, login_id FROM customers
UNION ALL SELECT id, replace(replace(name_kanji, ' ', ''), '　', '') FROM customers
UNION ALL SELECT id, trim(substr(replace(name_kanji, '　', ' '), instr(replace(name_kanji, '　', ' '), ' ') + 1)) FROM customers
    WHERE instr(replace(name_kanji, '　', ' '), ' ') > 0
UNION ALL SELECT id, replace(replace(name_kana, ' ', ''), '　', '') FROM customers
UNION ALL SELECT id, trim(substr(replace(name_kana, '　', ' '), instr(replace(name_kana, '　', ' '), ' ') + 1)) FROM customers
    WHERE instr(replace(name_kana, '　', ' '), ' ') > 0
UNION ALL SELECT id, replace(replace(phone, '-', ''), ' ', '') FROM customers WHERE phone <> ''
UNION ALL SELECT id, lower(email) FROM customers WHERE email <> '';

INSERT OR IGNORE INTO customer_search (key, customer_id)
SELECT key, customer_id FROM customer_search_keys WHERE key <> '';

CREATE TRIGGER customer_search_insert AFTER INSERT ON customers
BEGIN
    INSERT OR IGNORE INTO customer_search (key, customer_id)
    SELECT key, customer_id FROM customer_search_keys WHERE customer_id = NEW.id AND key <> '';
END;

CREATE TRIGGER customer_search_update AFTER UPDATE OF account_number, login_id, name_kanji, name_kana, phone, email ON customers
BEGIN
    DELETE FROM customer_search WHERE customer_id = OLD.id;
    INSERT OR IGNORE INTO customer_search (key, customer_id)
    SELECT key, customer_id FROM customer_search_keys WHERE customer_id = NEW.id AND key <> '';
END;

CREATE TRIGGER customer_search_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customer_search WHERE customer_id = OLD.id;
END;
