package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RememberDevice records that the customer logged in from a browser and
// reports whether it was new to them.
func (tx *Tx) RememberDevice(ctx context.Context, customerID int64, deviceHash, userAgent string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO known_devices (customer_id, device_hash, user_agent, first_seen_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id, device_hash) DO NOTHING`,
		customerID, deviceHash, userAgent, tx.now.Unix(), tx.now.Unix())
	if err != nil {
		return false, fmt.Errorf("remember device: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return n == 1, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE known_devices SET last_seen_at = ? WHERE customer_id = ? AND device_hash = ?`,
		tx.now.Unix(), customerID, deviceHash)
	if err != nil {
		return false, fmt.Errorf("touch device: %w", err)
	}
	return false, nil
}

// KnownDevice reports whether the customer completed a login from the
// browser whose device cookie hashes to deviceHash.
func (db *DB) KnownDevice(ctx context.Context, customerID int64, deviceHash string) (bool, error) {
	var one int
	err := db.QueryRowContext(ctx, `SELECT 1 FROM known_devices WHERE customer_id = ? AND device_hash = ?`,
		customerID, deviceHash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("known device: %w", err)
	}
	return true, nil
}
