-- Possession is proven by a link the customer opens and confirms on the
-- site, never by a code told to anyone (docs/security.md). Reading a code
-- aloud stays as the "spoken" method, for customers without a
-- smartphone, and is rated weak. SQLite cannot change a CHECK, so the
-- table is rebuilt with the new method; nothing references it.
CREATE TABLE verifications_new (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    method       TEXT    NOT NULL CHECK (method IN ('knowledge', 'possession', 'spoken', 'document', 'postal')),
    strength     TEXT    NOT NULL CHECK (strength IN ('weak', 'strong')),
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'passed', 'failed', 'voided')),
    detail       TEXT    NOT NULL DEFAULT '',
    code_hash    TEXT    NOT NULL DEFAULT '',
    -- a possession link's token, as its SHA-256 (hex): looked up, not
    -- checked against a code, so not a keyed hash
    link_hash    TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    passed_at    INTEGER NOT NULL DEFAULT 0,
    valid_until  INTEGER NOT NULL DEFAULT 0,
    outbox_id    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO verifications_new (id, case_id, customer_id, staff_id, method, strength, status, detail, code_hash,
    attempts, created_at, expires_at, passed_at, valid_until, outbox_id)
SELECT id, case_id, customer_id, staff_id, method, strength, status, detail, code_hash,
    attempts, created_at, expires_at, passed_at, valid_until, outbox_id FROM verifications;
-- Possession codes still pending were sent to be read back: void them.
UPDATE verifications_new SET status = 'voided' WHERE method = 'possession' AND status = 'pending';
DROP TABLE verifications;
ALTER TABLE verifications_new RENAME TO verifications;
CREATE INDEX verifications_case ON verifications(case_id, id);
CREATE INDEX verifications_link ON verifications(link_hash) WHERE link_hash <> '';
