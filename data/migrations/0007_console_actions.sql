-- Console actions (docs/design.md §3): support resets, temporary access passes,
-- contact changes by staff, unlocks, and four-eyes requests.

-- When support last reset the customer's second factors. Until the
-- customer enrols a factor again, a login reaches only the enrolment pages.
ALTER TABLE customers ADD COLUMN mfa_reset_at INTEGER NOT NULL DEFAULT 0;

-- The staff member's own brokerage account, if they have one: nobody acts
-- on their own account or approves a request about it (docs/security.md S33).
ALTER TABLE staff ADD COLUMN customer_id INTEGER REFERENCES customers(id);

-- A reset or contact change waiting for a second person (four-eyes). It
-- holds what the action needs to run on approval: which factors to remove
-- and whether to issue a temporary pass, or the new contact, already
-- proven by a code sent to it. A pending request past expires_at is
-- expired whatever its status column says, and is marked so when touched.
CREATE TABLE action_requests (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    kind           TEXT    NOT NULL CHECK (kind IN ('reset', 'contact')),
    -- reset: comma-separated factor kinds (totp, sms, passkey)
    remove         TEXT    NOT NULL DEFAULT '',
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
    -- an approved reset's temporary pass is issued once, to the requester
    pass_issued_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX action_requests_status ON action_requests(status, id);
CREATE INDEX action_requests_case ON action_requests(case_id, id);

-- Temporary access passes: one use, short validity, only a keyed hash
-- kept. Issuing a pass voids the customer's earlier unused ones.
CREATE TABLE temp_passes (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    request_id   INTEGER REFERENCES action_requests(id),
    pass_hash    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER NOT NULL DEFAULT 0,
    voided_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX temp_passes_customer ON temp_passes(customer_id, id);
