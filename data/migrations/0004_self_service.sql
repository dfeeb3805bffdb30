-- Recovery codes: shown once, stored as keyed hashes, each usable once.
CREATE TABLE recovery_codes (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    code_hash    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    used_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recovery_codes_customer ON recovery_codes(customer_id, used_at);

-- The registered bank account withdrawals go to (出金先口座).
CREATE TABLE bank_accounts (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
    bank_name       TEXT    NOT NULL,
    branch_name     TEXT    NOT NULL,
    account_type    TEXT    NOT NULL,
    account_number  TEXT    NOT NULL,
    holder_kana     TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- Withdrawal instructions. A row is created before the step-up so the
-- second factor is bound to this amount and destination (docs/security.md S26).
CREATE TABLE withdrawals (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    bank_account_id  INTEGER NOT NULL REFERENCES bank_accounts(id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    status           TEXT    NOT NULL CHECK (status IN ('awaiting_second_factor', 'requested', 'cancelled')),
    created_at       INTEGER NOT NULL,
    requested_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX withdrawals_customer ON withdrawals(customer_id, id);

-- Withdrawal hold after a support reset or a contact change (docs/design.md §2).
ALTER TABLE customers ADD COLUMN withdrawal_hold_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN withdrawal_hold_reason TEXT NOT NULL DEFAULT '';
