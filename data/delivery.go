package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Delivery: the outbox worker claims due messages under a lease, sends
// them, and records each attempt and the outcome. The conditional UPDATEs
// (status and attempts as they were read) are what make a claim exclusive,
// also on a database where the SELECT does not lock, such as PostgreSQL
// with several instances.

// Results of one delivery attempt, as stored in outbox_attempts.
const (
	AttemptSent        = "sent"
	AttemptRetry       = "retry"
	AttemptFailed      = "failed"
	AttemptInterrupted = "interrupted"
	AttemptAbandoned   = "abandoned"
)

// DeliveryAttempt is one row of a message's delivery log.
type DeliveryAttempt struct {
	OutboxID   int64
	Attempt    int
	At         time.Time
	Result     string
	Error      string
	ProviderID string
}

const outboxColumns = `id, customer_id, kind, channel, recipient, subject, body, status, attempts, provider_id, created_at,
	code_expires_at, scrubbed_at`

func scanOutbox(row interface{ Scan(...any) error }) (OutboxMessage, error) {
	var m OutboxMessage
	var customer sql.NullInt64
	var created, codeExpires, scrubbed int64
	err := row.Scan(&m.ID, &customer, &m.Kind, &m.Channel, &m.To, &m.Subject, &m.Body, &m.Status, &m.Attempts,
		&m.ProviderID, &created, &codeExpires, &scrubbed)
	m.CustomerID, m.CreatedAt = customer.Int64, time.Unix(created, 0)
	if codeExpires > 0 {
		m.CodeExpiresAt = time.Unix(codeExpires, 0)
	}
	m.Scrubbed = scrubbed > 0
	return m, err
}

// ClaimDue claims up to limit messages that are due: queued, retrying
// whose backoff has passed, or sending whose lease ran out (its worker
// died or hung without recording a result). Each claimed message is
// 'sending' until now+lease, and its Attempts is the number of this
// attempt. A lapsed message already tried maxAttempts times is failed
// instead of claimed.
func (db *DB) ClaimDue(ctx context.Context, limit int, lease time.Duration, maxAttempts int) ([]OutboxMessage, error) {
	var claimed []OutboxMessage
	err := db.InTx(ctx, func(tx *Tx) error {
		now := tx.now.Unix()
		// On PostgreSQL the rows are locked as they are read and rows
		// another instance's worker holds are passed over, so workers on
		// several instances take different messages instead of queueing
		// on the same ones; the conditional claim below stays the guard.
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
			WHERE (status IN ('queued', 'retrying') AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?)
			ORDER BY id LIMIT ?`+pick(tx.engine, "", " FOR UPDATE SKIP LOCKED"), now, now, limit)
		if err != nil {
			return fmt.Errorf("due messages: %w", err)
		}
		var due []OutboxMessage
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan due message: %w", err)
			}
			due = append(due, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("due messages: %w", err)
		}
		for _, m := range due {
			ok, err := tx.claim(ctx, m, lease, maxAttempts)
			if err != nil {
				return err
			}
			if ok {
				m.Status, m.Attempts = "sending", m.Attempts+1
				claimed = append(claimed, m)
			}
		}
		return nil
	})
	return claimed, err
}

// claim takes m for this worker if it is still as it was read. A lapsed
// claim (status sending) never reported back: the provider may or may not
// have the message, so it goes again under the same outbox id, which the
// senders pass as the idempotency key; or, after the last attempt, fails.
func (tx *Tx) claim(ctx context.Context, m OutboxMessage, lease time.Duration, maxAttempts int) (bool, error) {
	now := tx.now.Unix()
	lapsed := m.Status == "sending"
	query := `UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND status = ? AND attempts = ?`
	args := []any{tx.now.Add(lease).Unix(), now, m.ID, m.Status, m.Attempts}
	if lapsed && m.Attempts >= maxAttempts {
		query = `UPDATE outbox SET status = 'failed', lease_until = 0, updated_at = ?
			WHERE id = ? AND status = ? AND attempts = ?`
		args = args[1:]
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("claim message %d: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err // another worker took it first
	}
	if lapsed {
		if err := tx.recordAttempt(ctx, m.ID, m.Attempts, AttemptAbandoned, "lease expired without a recorded result", ""); err != nil {
			return false, err
		}
		if err := tx.scrubSettledMessage(ctx, m.ID); err != nil {
			return false, err
		}
	}
	return !(lapsed && m.Attempts >= maxAttempts), nil
}

// RecordSent records that the provider accepted attempt of message id.
// It is written as soon as the provider answers, and it wins over any
// other state: a message the provider has is never sent again. A code it
// carried is scrubbed in the same transaction: the customer has it now.
func (db *DB) RecordSent(ctx context.Context, id int64, attempt int, providerID string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', provider_id = ?, sent_at = ?,
			lease_until = 0, updated_at = ? WHERE id = ? AND status <> 'sent'`,
			providerID, tx.now.Unix(), tx.now.Unix(), id); err != nil {
			return fmt.Errorf("record sent %d: %w", id, err)
		}
		if err := tx.scrubSettledMessage(ctx, id); err != nil {
			return err
		}
		return tx.recordAttempt(ctx, id, attempt, AttemptSent, "", providerID)
	})
}

// RecordFailure records a failed attempt: with retryAfter > 0 the message
// waits that long and goes again ('retrying'), otherwise it has failed for
// good. errText must not contain the message. The status changes only if
// this attempt still holds the claim.
func (db *DB) RecordFailure(ctx context.Context, id int64, attempt int, errText string, retryAfter time.Duration) error {
	status, result := "failed", AttemptFailed
	if retryAfter > 0 {
		status, result = "retrying", AttemptRetry
	}
	return db.release(ctx, id, attempt, status, result, errText, retryAfter)
}

// RecordInterrupted gives back a message whose send was cut short by the
// worker stopping: it is due again at once, for the next worker.
func (db *DB) RecordInterrupted(ctx context.Context, id int64, attempt int, errText string) error {
	return db.release(ctx, id, attempt, "retrying", AttemptInterrupted, errText, 0)
}

func (db *DB) release(ctx context.Context, id int64, attempt int, status, result, errText string, after time.Duration) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, next_attempt_at = ?, lease_until = 0,
			updated_at = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
			status, tx.now.Add(after).Unix(), tx.now.Unix(), id, attempt); err != nil {
			return fmt.Errorf("record %s %d: %w", result, id, err)
		}
		if err := tx.scrubSettledMessage(ctx, id); err != nil {
			return err
		}
		return tx.recordAttempt(ctx, id, attempt, result, errText, "")
	})
}

func (tx *Tx) recordAttempt(ctx context.Context, id int64, attempt int, result, errText, providerID string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_attempts (outbox_id, attempt, at, result, error, provider_id)
		VALUES (?, ?, ?, ?, ?, ?)`, id, attempt, tx.now.Unix(), result, errText, providerID); err != nil {
		return fmt.Errorf("record attempt of %d: %w", id, err)
	}
	return nil
}

// Message returns one outbox message with its delivery state.
func (db *DB) Message(ctx context.Context, id int64) (*OutboxMessage, error) {
	m, err := scanOutbox(db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("message %d: %w", id, err)
	}
	return &m, nil
}

// DeliveryAttempts lists the attempts to deliver a message, oldest first.
func (db *DB) DeliveryAttempts(ctx context.Context, outboxID int64) ([]DeliveryAttempt, error) {
	rows, err := db.QueryContext(ctx, `SELECT outbox_id, attempt, at, result, error, provider_id
		FROM outbox_attempts WHERE outbox_id = ? ORDER BY id`, outboxID)
	if err != nil {
		return nil, fmt.Errorf("delivery attempts: %w", err)
	}
	defer rows.Close()
	var out []DeliveryAttempt
	for rows.Next() {
		var a DeliveryAttempt
		var at int64
		if err := rows.Scan(&a.OutboxID, &a.Attempt, &at, &a.Result, &a.Error, &a.ProviderID); err != nil {
			return nil, fmt.Errorf("scan attempt: %w", err)
		}
		a.At = time.Unix(at, 0)
		out = append(out, a)
	}
	return out, rows.Err()
}

// OutboxDepth counts messages not yet delivered or given up on.
func (db *DB) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending', 'retrying')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox depth: %w", err)
	}
	return n, nil
}

// DeliveryFailures counts failed attempts ever recorded (retried,
// failed, interrupted or abandoned): a counter for monitoring.
func (db *DB) DeliveryFailures(ctx context.Context) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_attempts WHERE result <> 'sent'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("delivery failures: %w", err)
	}
	return n, nil
}
