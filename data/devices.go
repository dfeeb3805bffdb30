package data

import (
	"context"
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
	return db.exists(ctx, "known device", `SELECT EXISTS (SELECT 1 FROM known_devices WHERE customer_id = ? AND device_hash = ?)`,
		customerID, deviceHash)
}

// exists runs a SELECT EXISTS (...) query; what names it in errors.
func (db *DB) exists(ctx context.Context, what, query string, args ...any) (bool, error) {
	var found bool
	if err := db.QueryRowContext(ctx, query, args...).Scan(&found); err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return found, nil
}
