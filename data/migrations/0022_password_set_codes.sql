-- A forgotten login password set through support: after a strong
-- verification on a case (and approval where four-eyes applies), the
-- requester gets a one-use password-setting code for the customer. SQLite
-- cannot change a CHECK, so action_requests is rebuilt with the new kind
-- 'password'. temp_passes refers to action_requests by name: the legacy
-- rename keeps that reference on the rebuilt table.
PRAGMA legacy_alter_table = ON;
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
DROP TABLE action_requests_old;
PRAGMA legacy_alter_table = OFF;
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
