package data

import (
	"context"
	"fmt"
	"time"
)

// Retention is how long the periodic sweep keeps what is no longer
// needed (docs/operations.md, Retention). The audit trail is never swept.
type Retention struct {
	// Sessions: the records a session leaves once it is over, one-time
	// code records (keyed hash, destination, tries) and unfinished
	// passkey ceremonies, counted from their creation or expiry. Session
	// rows themselves go as soon as they expire.
	Sessions time.Duration
	// OutboxContent: the subject and body of a sent or failed message,
	// counted from when it settled. Bodies with a code go long before.
	OutboxContent time.Duration
	// DeliveryLog: the row of a sent or failed message and its attempts,
	// the console's delivery log, counted from when it settled.
	DeliveryLog time.Duration
}

// DefaultRetention is what the flags default to.
func DefaultRetention() Retention {
	return Retention{Sessions: 7 * 24 * time.Hour, OutboxContent: 90 * 24 * time.Hour, DeliveryLog: 365 * 24 * time.Hour}
}

// Swept counts what one sweep removed.
type Swept struct {
	CodeMessages int64 // bodies of messages whose code expired
	Contents     int64 // subjects and bodies of settled messages past OutboxContent
	Messages     int64 // settled messages past DeliveryLog, with their attempts
	Challenges   int64
	Ceremonies   int64
	Letters      int64 // sealed codes of letters past their expiry
	OIDC         int64 // expired OpenID Connect requests and tokens, delivered logouts
}

// sweepBatch is how many rows one transaction of the sweep changes: a
// backlog (the first sweep after an upgrade) goes in many short
// transactions, so logins never wait long for the write lock.
const sweepBatch = 1000

// Sweep applies r at the database clock's now. Codes in messages are
// scrubbed at their expiry whatever the retention.
func (db *DB) Sweep(ctx context.Context, r Retention) (Swept, error) {
	return db.sweep(ctx, r, sweepBatch)
}

func (db *DB) sweep(ctx context.Context, r Retention, batch int) (Swept, error) {
	var s Swept
	now := db.now()
	// Each query changes at most batch rows (the last argument).
	steps := []struct {
		n     *int64
		query string
		args  []any
	}{
		{&s.CodeMessages, `UPDATE outbox SET body = ?, scrubbed_at = ? WHERE id IN (SELECT id FROM outbox
			WHERE scrubbed_at = 0 AND code_expires_at > 0 AND code_expires_at <= ? LIMIT ?)`,
			[]any{ScrubbedBody, now.Unix(), now.Unix()}},
		{&s.Contents, `UPDATE outbox SET subject = '', body = '', scrubbed_at = ? WHERE id IN (SELECT id FROM outbox
			WHERE scrubbed_at = 0 AND code_expires_at = 0 AND updated_at < ? AND status IN ('sent', 'failed') LIMIT ?)`,
			[]any{now.Unix(), now.Add(-r.OutboxContent).Unix()}},
		{&s.Messages, `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
			WHERE updated_at < ? AND status IN ('sent', 'failed') LIMIT ?)`,
			[]any{now.Add(-r.DeliveryLog).Unix()}},
		{&s.Challenges, `DELETE FROM challenges WHERE id IN (SELECT id FROM challenges
			WHERE created_at < ? AND expires_at < ? LIMIT ?)`,
			[]any{now.Add(-r.Sessions).Unix(), now.Unix()}},
		{&s.Ceremonies, `DELETE FROM webauthn_ceremonies WHERE rowid IN (SELECT rowid FROM webauthn_ceremonies
			WHERE expires_at < ? LIMIT ?)`,
			[]any{now.Add(-r.Sessions).Unix()}},
		{&s.Letters, `UPDATE postal_letters SET code_enc = NULL,
			status = CASE status WHEN 'queued' THEN 'expired' ELSE status END WHERE id IN (SELECT id FROM postal_letters
			WHERE (code_enc IS NOT NULL OR (kind = 'reminder' AND status = 'queued')) AND expires_at <= ? LIMIT ?)`,
			[]any{now.Unix()}},
		// A request's row tells a reused code until the request expired.
		{&s.OIDC, `DELETE FROM oidc_auth_requests WHERE id IN (SELECT id FROM oidc_auth_requests
			WHERE expires_at < ? LIMIT ?)`, []any{now.Add(-r.Sessions).Unix()}},
		{&s.OIDC, `DELETE FROM oidc_tokens WHERE id IN (SELECT id FROM oidc_tokens WHERE expires_at < ? LIMIT ?)`,
			[]any{now.Add(-r.Sessions).Unix()}},
		{&s.OIDC, `DELETE FROM oidc_logouts WHERE id IN (SELECT id FROM oidc_logouts
			WHERE (sent_at > 0 OR failed_at > 0) AND created_at < ? LIMIT ?)`, []any{now.Add(-r.DeliveryLog).Unix()}},
	}
	for _, step := range steps {
		for {
			var n int64
			err := db.InTx(ctx, func(tx *Tx) error {
				res, err := tx.ExecContext(ctx, step.query, append(step.args, batch)...)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return s, fmt.Errorf("sweep: %w", err)
			}
			*step.n += n
			if n < int64(batch) {
				break
			}
		}
	}
	return s, nil
}
