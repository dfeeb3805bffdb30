-- The audit chain is keyed: each event names the audit key (by its id,
-- never the key) its HMAC-SHA256 hash was made under. Events written
-- before this migration keep key_id '' and their plain SHA-256 hashes,
-- and the keyed chain continues from the last of them
-- (docs/operations.md, "The audit trail").
ALTER TABLE audit_events ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
