package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RequestPassword is the kind of a request for a password-setting code.
const RequestPassword = "password"

// PasswordSetCode is a one-use code support issued for a customer to set
// a new login password. Only a keyed hash of the code is stored.
type PasswordSetCode struct {
	ID         int64
	CustomerID int64
	CaseID     int64
	StaffID    int64
	RequestID  int64
	CodeHash   string
	ExpiresAt  time.Time
}

// CreatePasswordSetCode voids the customer's earlier unused codes, so only
// the newest one works, and stores the new one.
func (tx *Tx) CreatePasswordSetCode(ctx context.Context, p *PasswordSetCode) error {
	if _, err := tx.ExecContext(ctx, `UPDATE password_set_codes SET voided_at = ?
		WHERE customer_id = ? AND used_at = 0 AND voided_at = 0`, tx.now.Unix(), p.CustomerID); err != nil {
		return fmt.Errorf("void old password-setting codes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_set_codes (customer_id, case_id, staff_id, request_id,
		code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, p.CustomerID, p.CaseID, p.StaffID,
		nullID(p.RequestID), p.CodeHash, tx.now.Unix(), p.ExpiresAt.Unix()); err != nil {
		return fmt.Errorf("create password-setting code: %w", err)
	}
	return nil
}

// OpenPasswordSetCode returns the customer's newest code that is neither
// used nor voided (it may have expired: the caller decides).
func (db *DB) OpenPasswordSetCode(ctx context.Context, customerID int64) (*PasswordSetCode, error) {
	var p PasswordSetCode
	var request sql.NullInt64
	var expires int64
	err := db.QueryRowContext(ctx, `SELECT id, customer_id, case_id, staff_id, request_id, code_hash, expires_at
		FROM password_set_codes WHERE customer_id = ? AND used_at = 0 AND voided_at = 0 ORDER BY id DESC LIMIT 1`,
		customerID).Scan(&p.ID, &p.CustomerID, &p.CaseID, &p.StaffID, &request, &p.CodeHash, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("open password-setting code: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open password-setting code: %w", err)
	}
	p.RequestID, p.ExpiresAt = request.Int64, time.Unix(expires, 0)
	return &p, nil
}

// UsePasswordSetCode marks a code used if nobody did first; a second use
// is ErrConflict, so of parallel uses exactly one commits.
func (tx *Tx) UsePasswordSetCode(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE password_set_codes SET used_at = ? WHERE id = ? AND used_at = 0 AND voided_at = 0`,
		tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("use password-setting code: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("use password-setting code %d: %w", id, ErrConflict)
	}
	return nil
}
