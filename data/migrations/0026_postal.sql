-- Post that really goes (docs/operations.md, "Letters"): a postal address
-- per customer, entered by support after a strong verification, and
-- letters whose code is sealed with the secrets key instead of stored in
-- clear. SQLite cannot change a CHECK, so postal_letters is rebuilt with
-- its new states; nothing references it.
CREATE TABLE customer_addresses (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers(id),
    postcode     TEXT    NOT NULL CHECK (length(postcode) = 7),
    prefecture   TEXT    NOT NULL,
    city         TEXT    NOT NULL,
    building     TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL
);

CREATE TABLE postal_letters_new (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    status       TEXT    NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'printed', 'returned', 'voided', 'expired')),
    -- the code, sealed (AES-GCM, secrets key, bound to the customer);
    -- NULL once printed, used, voided or expired
    code_enc     BLOB,
    -- where the letter goes, as it was when queued, and the name on it
    postcode     TEXT    NOT NULL DEFAULT '',
    prefecture   TEXT    NOT NULL DEFAULT '',
    city         TEXT    NOT NULL DEFAULT '',
    building     TEXT    NOT NULL DEFAULT '',
    name         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    printed_at   INTEGER NOT NULL DEFAULT 0,
    returned_at  INTEGER NOT NULL DEFAULT 0
);
-- Letters queued before had their code in clear and no address: nothing
-- printed them. They are kept, voided and without the code.
INSERT INTO postal_letters_new (id, customer_id, case_id, status, created_at)
SELECT id, customer_id, case_id, CASE status WHEN 'printed' THEN 'printed' ELSE 'voided' END, created_at FROM postal_letters;
DROP TABLE postal_letters;
ALTER TABLE postal_letters_new RENAME TO postal_letters;
CREATE INDEX postal_letters_status ON postal_letters(status, id);
CREATE INDEX postal_letters_customer ON postal_letters(customer_id, id);

-- The letter that carries a postal verification's code.
ALTER TABLE verifications ADD COLUMN letter_id INTEGER NOT NULL DEFAULT 0;
UPDATE verifications SET status = 'voided' WHERE method = 'postal' AND status = 'pending';
