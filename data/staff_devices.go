package data

import (
	"context"
	"fmt"
)

// RememberStaffDevice records that the staff member completed a console
// login from the browser whose device cookie hashes to deviceHash.
func (tx *Tx) RememberStaffDevice(ctx context.Context, staffID int64, deviceHash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_devices (staff_id, device_hash, first_seen_at, last_seen_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (staff_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
		staffID, deviceHash, tx.now.Unix(), tx.now.Unix())
	if err != nil {
		return fmt.Errorf("remember staff device: %w", err)
	}
	return nil
}

// KnownStaffDevice reports whether the staff member completed a console
// login from the browser whose device cookie hashes to deviceHash.
func (db *DB) KnownStaffDevice(ctx context.Context, staffID int64, deviceHash string) (bool, error) {
	return db.exists(ctx, "known staff device", `SELECT EXISTS (SELECT 1 FROM staff_devices WHERE staff_id = ? AND device_hash = ?)`,
		staffID, deviceHash)
}
