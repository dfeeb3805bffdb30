-- A one-time code does not outlive its use in clear (docs/operations.md,
-- Retention). A message carrying a code knows when the code expires
-- (code_expires_at, 0 for a message without one); its body is replaced
-- (scrubbed_at) once the code is used, voided or expired, or the message
-- is sent or failed for good. The code's record points at its message, so
-- using or voiding the code scrubs it in the same transaction.
ALTER TABLE outbox ADD COLUMN code_expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN scrubbed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE challenges ADD COLUMN outbox_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE verifications ADD COLUMN outbox_id INTEGER NOT NULL DEFAULT 0;

-- The periodic sweep: messages whose body is still there (codes by their
-- expiry, other messages by the time they settled), and settled messages
-- past the delivery log's retention.
CREATE INDEX outbox_unscrubbed ON outbox(code_expires_at, updated_at) WHERE scrubbed_at = 0;
CREATE INDEX outbox_updated ON outbox(updated_at);
CREATE INDEX challenges_created ON challenges(created_at);

-- Messages queued before this migration carry their code in clear with no
-- expiry known: they are found by their kind and given an hour (past any
-- sensible --code-ttl); settled ones are scrubbed now, the others by the
-- sweep or when they settle.
UPDATE outbox SET code_expires_at = created_at + 3600
    WHERE kind IN ('login_code', 'step_up_code', 'contact_code', 'support_verification');
UPDATE outbox SET body = '（確認コードを含むため、本文は削除されました）', scrubbed_at = updated_at
    WHERE code_expires_at > 0 AND status IN ('sent', 'failed');
