-- One-use passkey registration links the console issues after a strong
-- identity check (docs/operations.md): only the SHA-256 of the token is
-- kept, bound to the customer and the case. Issuing one voids the
-- customer's earlier unused ones.
CREATE TABLE passkey_setup_links (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER NOT NULL DEFAULT 0,
    voided_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX passkey_setup_links_customer ON passkey_setup_links(customer_id, id);
