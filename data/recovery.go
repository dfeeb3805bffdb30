package data

import (
	"context"
	"fmt"
)

// RecoveryCode is one stored recovery code; only its keyed hash is kept.
type RecoveryCode struct {
	ID       int64
	CodeHash string
}

// ReplaceRecoveryCodes voids every earlier code of the customer and stores
// the new set.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, customerID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE customer_id = ?`, customerID); err != nil {
		return fmt.Errorf("void recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (customer_id, code_hash, created_at) VALUES (?, ?, ?)`,
			customerID, h, tx.now.Unix()); err != nil {
			return fmt.Errorf("store recovery code: %w", err)
		}
	}
	return nil
}

// UnusedRecoveryCodes lists the customer's codes not yet used.
func (tx *Tx) UnusedRecoveryCodes(ctx context.Context, customerID int64) ([]RecoveryCode, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, code_hash FROM recovery_codes WHERE customer_id = ? AND used_at = 0 ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	defer rows.Close()
	var out []RecoveryCode
	for rows.Next() {
		var rc RecoveryCode
		if err := rows.Scan(&rc.ID, &rc.CodeHash); err != nil {
			return nil, fmt.Errorf("scan recovery code: %w", err)
		}
		out = append(out, rc)
	}
	return out, rows.Err()
}

// UseRecoveryCode marks a code used if nobody did first.
func (tx *Tx) UseRecoveryCode(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at = 0`, tx.now.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CountUnusedRecoveryCodes says how many recovery codes remain.
func (db *DB) CountUnusedRecoveryCodes(ctx context.Context, customerID int64) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE customer_id = ? AND used_at = 0`, customerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}
