package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SettingRequireStaffPasskeys is the console setting that makes staff
// log in with a passkey: TOTP alone no longer completes a staff login.
const SettingRequireStaffPasskeys = "require_staff_passkeys"

// StaffPasskeysRequired reads the setting; absent means off.
func (db *DB) StaffPasskeysRequired(ctx context.Context) (bool, error) {
	return staffPasskeysRequired(ctx, db)
}

// StaffPasskeysRequired reads the setting inside a transaction.
func (tx *Tx) StaffPasskeysRequired(ctx context.Context) (bool, error) {
	return staffPasskeysRequired(ctx, tx)
}

func staffPasskeysRequired(ctx context.Context, q queryer) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM console_settings WHERE name = ?`, SettingRequireStaffPasskeys).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("console setting %s: %w", SettingRequireStaffPasskeys, err)
	}
	return v == "on", nil
}

// SetStaffPasskeysRequired turns the setting on or off.
func (tx *Tx) SetStaffPasskeysRequired(ctx context.Context, on bool) error {
	v := "off"
	if on {
		v = "on"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO console_settings (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		SettingRequireStaffPasskeys, v, tx.now.Unix())
	if err != nil {
		return fmt.Errorf("set console setting %s: %w", SettingRequireStaffPasskeys, err)
	}
	return nil
}
