package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Challenge is a one-time code sent by SMS or email. The code itself is
// never stored, only its keyed hash.
type Challenge struct {
	ID          int64
	CustomerID  int64
	SessionHash string
	Purpose     string
	Channel     string
	Destination string
	CodeHash    string
	Attempts    int
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      time.Time
	VoidedAt    time.Time
	// OutboxID is the message that carries the code; it is scrubbed
	// when the code is used or voided (scrub.go).
	OutboxID int64
}

// CreateChallenge voids every open challenge of the same session and
// purpose (a resend makes the old code useless), scrubbing their
// messages, and inserts the new one.
func (tx *Tx) CreateChallenge(ctx context.Context, c *Challenge) (int64, error) {
	if err := tx.scrubCodeMessages(ctx, `id IN (SELECT outbox_id FROM challenges
		WHERE session_hash = ? AND purpose = ? AND used_at = 0 AND voided_at = 0)`, c.SessionHash, c.Purpose); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE challenges SET voided_at = ?
		WHERE session_hash = ? AND purpose = ? AND used_at = 0 AND voided_at = 0`,
		tx.now.Unix(), c.SessionHash, c.Purpose); err != nil {
		return 0, fmt.Errorf("void old challenges: %w", err)
	}
	id, err := tx.insertID(ctx, `INSERT INTO challenges (customer_id, session_hash, purpose, channel,
		destination, code_hash, created_at, expires_at, outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.CustomerID, c.SessionHash, c.Purpose, c.Channel, c.Destination, c.CodeHash,
		tx.now.Unix(), c.ExpiresAt.Unix(), c.OutboxID)
	if err != nil {
		return 0, fmt.Errorf("create challenge: %w", err)
	}
	return id, nil
}

// OpenChallenge returns the newest unused, unvoided challenge of a session
// for a purpose (it may have expired: the caller decides and says so).
func (tx *Tx) OpenChallenge(ctx context.Context, sessionHash, purpose string) (*Challenge, error) {
	return scanChallenge(tx.QueryRowContext(ctx, challengeSelect+`
		WHERE session_hash = ? AND purpose = ? AND used_at = 0 AND voided_at = 0
		ORDER BY id DESC LIMIT 1`, sessionHash, purpose))
}

// LatestChallenge is OpenChallenge outside a transaction, for display.
func (db *DB) LatestChallenge(ctx context.Context, sessionHash, purpose string) (*Challenge, error) {
	return scanChallenge(db.QueryRowContext(ctx, challengeSelect+`
		WHERE session_hash = ? AND purpose = ? AND used_at = 0 AND voided_at = 0
		ORDER BY id DESC LIMIT 1`, sessionHash, purpose))
}

const challengeSelect = `SELECT id, customer_id, session_hash, purpose, channel, destination, code_hash,
	attempts, created_at, expires_at, used_at, voided_at FROM challenges`

func scanChallenge(row *sql.Row) (*Challenge, error) {
	var c Challenge
	var created, expires, used, voided int64
	err := row.Scan(&c.ID, &c.CustomerID, &c.SessionHash, &c.Purpose, &c.Channel, &c.Destination,
		&c.CodeHash, &c.Attempts, &created, &expires, &used, &voided)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan challenge: %w", err)
	}
	c.CreatedAt, c.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	c.UsedAt, c.VoidedAt = time.Unix(used, 0), time.Unix(voided, 0)
	return &c, nil
}

// CountAttempt adds a wrong try to a challenge.
func (tx *Tx) CountAttempt(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE challenges SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("count attempt: %w", err)
	}
	return nil
}

// UseChallenge marks a challenge used if nobody did first, and reports
// whether this call was the one that did. The code's message is scrubbed
// with it.
func (tx *Tx) UseChallenge(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE challenges SET used_at = ? WHERE id = ? AND used_at = 0 AND voided_at = 0`,
		tx.now.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("use challenge: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	return true, tx.ScrubChallengeMessage(ctx, id)
}

// ChallengeSends returns how many codes were sent to the customer since
// t (for the hourly cap), and when the newest code of this session and
// purpose was sent (for the resend cool-down).
func (tx *Tx) ChallengeSends(ctx context.Context, customerID int64, sessionHash, purpose string, since time.Time) (count int, newest time.Time, err error) {
	if err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM challenges WHERE customer_id = ? AND created_at >= ?`,
		customerID, since.Unix()).Scan(&count); err != nil {
		return 0, time.Time{}, fmt.Errorf("challenge sends: %w", err)
	}
	var last sql.NullInt64
	if err = tx.QueryRowContext(ctx, `SELECT MAX(created_at) FROM challenges WHERE session_hash = ? AND purpose = ?`,
		sessionHash, purpose).Scan(&last); err != nil {
		return 0, time.Time{}, fmt.Errorf("challenge sends: %w", err)
	}
	if last.Valid {
		newest = time.Unix(last.Int64, 0)
	}
	return count, newest, nil
}
