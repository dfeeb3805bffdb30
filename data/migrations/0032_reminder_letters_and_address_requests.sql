-- Reminder letters and four-eyes for postal address changes
-- (docs/operations.md, "Outreach" and "Letters").
--
-- A reminder letter goes to a customer of a lockout list that neither
-- email nor SMS reaches: no code, no case, no verification. kind tells it
-- from a code letter; list and phase_at say what it announces; lang which
-- language it is printed in. SQLite cannot make case_id nullable or change
-- a CHECK, so postal_letters is rebuilt; nothing references it.
CREATE TABLE postal_letters_new (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    case_id      INTEGER REFERENCES cases(id),
    kind         TEXT    NOT NULL DEFAULT 'code' CHECK (kind IN ('code', 'reminder')),
    status       TEXT    NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'printed', 'returned', 'voided', 'expired')),
    -- code letters: the code, sealed (AES-GCM, secrets key, bound to the
    -- customer); NULL once printed, used, voided or expired. Reminders: NULL.
    code_enc     BLOB,
    postcode     TEXT    NOT NULL DEFAULT '',
    prefecture   TEXT    NOT NULL DEFAULT '',
    city         TEXT    NOT NULL DEFAULT '',
    building     TEXT    NOT NULL DEFAULT '',
    name         TEXT    NOT NULL DEFAULT '',
    list         TEXT    NOT NULL DEFAULT '',
    phase_at     INTEGER NOT NULL DEFAULT 0,
    lang         TEXT    NOT NULL DEFAULT 'ja',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    printed_at   INTEGER NOT NULL DEFAULT 0,
    returned_at  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO postal_letters_new (id, customer_id, case_id, status, code_enc, postcode, prefecture, city, building, name,
    created_at, expires_at, printed_at, returned_at)
SELECT id, customer_id, case_id, status, code_enc, postcode, prefecture, city, building, name,
    created_at, expires_at, printed_at, returned_at FROM postal_letters;
DROP TABLE postal_letters;
ALTER TABLE postal_letters_new RENAME TO postal_letters;
CREATE INDEX postal_letters_status ON postal_letters(status, id);
CREATE INDEX postal_letters_customer ON postal_letters(customer_id, id);

-- A run's customers reachable by neither channel and without a postal
-- address: no letter either (letters counts those a letter was queued for).
ALTER TABLE outreach_runs ADD COLUMN no_address INTEGER NOT NULL DEFAULT 0;

-- An address change by a role that needs approval waits as a request of
-- kind 'address' holding the new address. action_requests is rebuilt for
-- the CHECK; as in 0022, renaming the old table points temp_passes' and
-- password_set_codes' references at it, so both are rebuilt too.
ALTER TABLE action_requests RENAME TO action_requests_old;
CREATE TABLE action_requests (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    kind           TEXT    NOT NULL CHECK (kind IN ('reset', 'contact', 'password', 'address')),
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
    pass_issued_at INTEGER NOT NULL DEFAULT 0,
    -- address: the new postal address, as parsed
    postcode       TEXT    NOT NULL DEFAULT '',
    prefecture     TEXT    NOT NULL DEFAULT '',
    city           TEXT    NOT NULL DEFAULT '',
    building       TEXT    NOT NULL DEFAULT ''
);
INSERT INTO action_requests (id, case_id, customer_id, kind, remove, temp_pass, contact_kind, contact_value, requested_by,
    status, decided_by, reason, created_at, expires_at, decided_at, pass_issued_at)
SELECT id, case_id, customer_id, kind, remove, temp_pass, contact_kind, contact_value, requested_by,
    status, decided_by, reason, created_at, expires_at, decided_at, pass_issued_at FROM action_requests_old;
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
CREATE TABLE password_set_codes_new (
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
INSERT INTO password_set_codes_new (id, customer_id, case_id, staff_id, request_id, code_hash, created_at, expires_at,
    used_at, voided_at)
SELECT id, customer_id, case_id, staff_id, request_id, code_hash, created_at, expires_at, used_at, voided_at
FROM password_set_codes;
DROP TABLE password_set_codes;
ALTER TABLE password_set_codes_new RENAME TO password_set_codes;
CREATE INDEX password_set_codes_customer ON password_set_codes(customer_id, id);
DROP TABLE action_requests_old;
CREATE INDEX action_requests_status ON action_requests(status, id);
CREATE INDEX action_requests_case ON action_requests(case_id, id);
