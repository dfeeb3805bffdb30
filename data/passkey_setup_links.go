package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PasskeySetupLink is a one-use link support issued for a customer to
// register a passkey on their own device. Only the token's hash is stored.
type PasskeySetupLink struct {
	ID         int64
	CustomerID int64
	CaseID     int64
	StaffID    int64
	TokenHash  string
	ExpiresAt  time.Time
}

// CreatePasskeySetupLink voids the customer's earlier unused links, so
// only the newest one works, and stores the new one.
func (tx *Tx) CreatePasskeySetupLink(ctx context.Context, l *PasskeySetupLink) error {
	if _, err := tx.ExecContext(ctx, `UPDATE passkey_setup_links SET voided_at = ?
		WHERE customer_id = ? AND used_at = 0 AND voided_at = 0`, tx.now.Unix(), l.CustomerID); err != nil {
		return fmt.Errorf("void old passkey setup links: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO passkey_setup_links (customer_id, case_id, staff_id, token_hash,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`, l.CustomerID, l.CaseID, l.StaffID, l.TokenHash,
		tx.now.Unix(), l.ExpiresAt.Unix()); err != nil {
		return fmt.Errorf("create passkey setup link: %w", err)
	}
	return nil
}

// OpenPasskeySetupLink returns the link of hash if it is neither used nor
// voided (it may have expired: the caller decides).
func (db *DB) OpenPasskeySetupLink(ctx context.Context, hash string) (*PasskeySetupLink, error) {
	var l PasskeySetupLink
	var expires int64
	err := db.QueryRowContext(ctx, `SELECT id, customer_id, case_id, staff_id, token_hash, expires_at
		FROM passkey_setup_links WHERE token_hash = ? AND used_at = 0 AND voided_at = 0`, hash).
		Scan(&l.ID, &l.CustomerID, &l.CaseID, &l.StaffID, &l.TokenHash, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("open passkey setup link: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open passkey setup link: %w", err)
	}
	l.ExpiresAt = time.Unix(expires, 0)
	return &l, nil
}

// UsePasskeySetupLink marks a live link used if nobody did first; a
// second use, or one after expiry, is ErrConflict, so of parallel uses
// exactly one commits.
func (tx *Tx) UsePasskeySetupLink(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE passkey_setup_links SET used_at = ?
		WHERE id = ? AND used_at = 0 AND voided_at = 0 AND expires_at > ?`, tx.now.Unix(), id, tx.now.Unix())
	if err != nil {
		return fmt.Errorf("use passkey setup link: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("use passkey setup link %d: %w", id, ErrConflict)
	}
	return nil
}
