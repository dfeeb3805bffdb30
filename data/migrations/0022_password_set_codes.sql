-- A forgotten login password set through support: after a strong
-- verification on a case (and approval where four-eyes applies), the
-- requester gets a one-use password-setting code for the customer. SQLite
-- cannot change a CHECK, so action_requests is rebuilt with the new kind
-- 'password'. Renaming the old table points temp_passes' reference at it,
-- so temp_passes is rebuilt too, referring to the new table, before the
-- old one goes.
ALTER TABLE action_requests RENAME TO action_requests_old;
CREATE TABLE action_requests (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    kind           TEXT    NOT NULL CHECK (kind IN ('reset', 'contact', 'password')),
    -- reset: comma-separated factor kinds (totp, sms, passkey)
    remove         TEXT    NOT NULL DEFAULT '',
    -- reset: a temporary pass; password: a password-setting code
    temp_pass      INTEGER NOT NULL DEFAULT 0,
    -- contact: email or phone, and the confirmed new value
    contact_kind   TEXT    NOT NULL DEFAULT '',
    contact_value  TEXT    NOT NULL DEFAULT '',
    requested_by   INTEGER NOT NULL REFERENCES staff(id),
    status         TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    decided_by     INTEGER REFERENCES staff(id),
    reason         TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    decided_at     INTEGER NOT NULL DEFAULT 0,
    -- the pass or code of an approved request is issued once, to the requester
    pass_issued_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO action_requests SELECT * FROM action_requests_old;
CREATE TABLE temp_passes_new (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    request_id   INTEGER REFERENCES action_requests(id),
    pass_hash    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER NOT NULL DEFAULT 0,
    voided_at    INTEGER NOT NULL DEFAULT 0,
    enrolled_at  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO temp_passes_new (id, customer_id, case_id, staff_id, request_id, pass_hash, created_at, expires_at,
    used_at, voided_at, enrolled_at)
SELECT id, customer_id, case_id, staff_id, request_id, pass_hash, created_at, expires_at,
    used_at, voided_at, enrolled_at FROM temp_passes;
DROP TABLE temp_passes;
ALTER TABLE temp_passes_new RENAME TO temp_passes;
CREATE INDEX temp_passes_customer ON temp_passes(customer_id, id);
DROP TABLE action_requests_old;
CREATE INDEX action_requests_status ON action_requests(status, id);
CREATE INDEX action_requests_case ON action_requests(case_id, id);

-- Password-setting codes: one use, short validity, only a keyed hash
-- kept. Issuing one voids the customer's earlier unused ones.
CREATE TABLE password_set_codes (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    request_id   INTEGER REFERENCES action_requests(id),
    code_hash    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER NOT NULL DEFAULT 0,
    voided_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX password_set_codes_customer ON password_set_codes(customer_id, id);
