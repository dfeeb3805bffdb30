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
