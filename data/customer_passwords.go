package data

import (
	"context"
	"fmt"
)

// SetLoginPasswordHash replaces the login password hash, but only while
// it is still oldHash: a change checked against a password that another
// request replaced meanwhile fails with ErrConflict instead of winning.
func (tx *Tx) SetLoginPasswordHash(ctx context.Context, customerID int64, oldHash, newHash string) error {
	return tx.replaceHash(ctx, "login password", `UPDATE customers SET password_hash = ?, updated_at = ?
		WHERE id = ? AND password_hash = ?`, customerID, oldHash, newHash)
}

// SetTradingPasswordHash replaces the trading password hash, but only
// while it is still oldHash (as SetLoginPasswordHash).
func (tx *Tx) SetTradingPasswordHash(ctx context.Context, customerID int64, oldHash, newHash string) error {
	return tx.replaceHash(ctx, "trading password", `UPDATE customers SET trading_password_hash = ?, updated_at = ?
		WHERE id = ? AND trading_password_hash = ?`, customerID, oldHash, newHash)
}

func (tx *Tx) replaceHash(ctx context.Context, what, query string, customerID int64, oldHash, newHash string) error {
	res, err := tx.ExecContext(ctx, query, newHash, tx.now.Unix(), customerID, oldHash)
	if err != nil {
		return fmt.Errorf("set %s of %d: %w", what, customerID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set %s of %d: %w", what, customerID, err)
	}
	if n != 1 {
		return fmt.Errorf("set %s of %d: %w", what, customerID, ErrConflict)
	}
	return nil
}
