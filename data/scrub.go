package data

import (
	"context"
	"fmt"
)

// ScrubbedBody replaces the body of a message that carried a one-time
// code once the code is of no more use in clear: used, voided, expired,
// or the message handed to the provider or failed for good. The row stays
// for the delivery log (kind, channel, recipient, status, attempts,
// times); subjects never carry the code. See docs/operations.md,
// Retention.
const ScrubbedBody = "（確認コードを含むため、本文は削除されました）"

// scrubCodeMessages replaces the body of the code-carrying messages that
// match cond, a condition on outbox written in this package (never
// input), in the caller's transaction.
func (tx *Tx) scrubCodeMessages(ctx context.Context, cond string, args ...any) error {
	args = append([]any{ScrubbedBody, tx.now.Unix()}, args...)
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET body = ?, scrubbed_at = ?
		WHERE code_expires_at > 0 AND scrubbed_at = 0 AND `+cond, args...); err != nil {
		return fmt.Errorf("scrub code messages: %w", err)
	}
	return nil
}

// scrubSettledMessage scrubs message id if it carries a code and is sent
// or failed; a message still pending keeps its body for the next attempt.
func (tx *Tx) scrubSettledMessage(ctx context.Context, id int64) error {
	return tx.scrubCodeMessages(ctx, `id = ? AND status IN ('sent', 'failed')`, id)
}

// ScrubChallengeMessage scrubs the message of a code that can no longer
// pass (expired, or out of tries) though it stays on record as open.
func (tx *Tx) ScrubChallengeMessage(ctx context.Context, challengeID int64) error {
	return tx.scrubCodeMessages(ctx, `id = (SELECT outbox_id FROM challenges WHERE id = ?)`, challengeID)
}
