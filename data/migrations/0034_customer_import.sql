-- Customers loaded from the back office's customer master
-- (docs/operations.md, "Importing customers"). closed_at is when the
-- import saw the account closed (0 while open): a closed customer cannot
-- log in, reset a password or use a passkey, and has no session.
ALTER TABLE customers ADD COLUMN closed_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_closed ON customers(closed_at) WHERE closed_at > 0;
