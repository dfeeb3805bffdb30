package data

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// MethodPasskeySetup marks a console session that passed password and
// TOTP while passkeys are required and the staff member has none: it
// reaches only passkey registration and logout (rbac subject
// "passkey_setup"). Its level stays LevelPassword, so anything that
// overlooks the mark still sees a session short of a full login.
const MethodPasskeySetup = "passkey_setup"

// PasskeySetup reports whether the session is such a restricted one.
func (s *Session) PasskeySetup() bool {
	return s != nil && s.Level == LevelPassword && s.Method == MethodPasskeySetup
}

// StaffPasskey is a registered WebAuthn credential of a staff member.
type StaffPasskey struct {
	ID             int64
	StaffID        int64
	CredentialID   []byte
	CredentialJSON string
	Name           string
	SignCount      uint32
	Cloned         bool
	CreatedAt      time.Time
	LastUsedAt     time.Time
}

const staffPasskeyColumns = `id, staff_id, credential_id, credential_json, name, sign_count, cloned, created_at, last_used_at`

// StaffPasskeysOf lists a staff member's passkeys, oldest first.
func (db *DB) StaffPasskeysOf(ctx context.Context, staffID int64) ([]StaffPasskey, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+staffPasskeyColumns+` FROM staff_passkeys WHERE staff_id = ? ORDER BY id`, staffID)
	if err != nil {
		return nil, fmt.Errorf("staff passkeys of %d: %w", staffID, err)
	}
	defer rows.Close()
	var out []StaffPasskey
	for rows.Next() {
		var p StaffPasskey
		var created, used int64
		if err := rows.Scan(&p.ID, &p.StaffID, &p.CredentialID, &p.CredentialJSON, &p.Name, &p.SignCount, &p.Cloned,
			&created, &used); err != nil {
			return nil, fmt.Errorf("scan staff passkey: %w", err)
		}
		p.CreatedAt, p.LastUsedAt = time.Unix(created, 0), time.Unix(used, 0)
		out = append(out, p)
	}
	return out, rows.Err()
}

// CountStaffPasskeys counts every staff member's usable (not cloned)
// passkeys, for the admins' staff list.
func (db *DB) CountStaffPasskeys(ctx context.Context) (map[int64]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT staff_id, COUNT(*) FROM staff_passkeys WHERE cloned = 0 GROUP BY staff_id`)
	if err != nil {
		return nil, fmt.Errorf("count staff passkeys: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("scan staff passkey count: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// CreateStaffPasskey stores a new staff passkey.
func (tx *Tx) CreateStaffPasskey(ctx context.Context, p *StaffPasskey) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO staff_passkeys (staff_id, credential_id, credential_json, name, sign_count,
		created_at) VALUES (?, ?, ?, ?, ?, ?)`, p.StaffID, p.CredentialID, p.CredentialJSON, p.Name, p.SignCount, tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("create staff passkey: %w", err)
	}
	return id, nil
}

// StaffPasskeyUsed records a successful assertion only if the stored
// counter is still the one the check saw: of two parallel uses of one
// assertion only one passes.
func (tx *Tx) StaffPasskeyUsed(ctx context.Context, id int64, oldCount, newCount uint32, credentialJSON string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE staff_passkeys SET sign_count = ?, credential_json = ?, last_used_at = ?
		WHERE id = ? AND sign_count = ? AND cloned = 0`, newCount, credentialJSON, tx.now.Unix(), id, oldCount)
	if err != nil {
		return false, fmt.Errorf("staff passkey used: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkStaffPasskeyCloned refuses a staff passkey from now on.
func (tx *Tx) MarkStaffPasskeyCloned(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE staff_passkeys SET cloned = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("mark staff passkey cloned: %w", err)
	}
	return nil
}

// DeleteStaffPasskey removes one of the staff member's passkeys.
func (tx *Tx) DeleteStaffPasskey(ctx context.Context, staffID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM staff_passkeys WHERE id = ? AND staff_id = ?`, id, staffID)
	if err != nil {
		return fmt.Errorf("delete staff passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("staff passkey %d: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteStaffPasskeys removes every passkey of the staff member
// (deactivation, second-factor reset) and says how many there were.
func (tx *Tx) DeleteStaffPasskeys(ctx context.Context, staffID int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM staff_passkeys WHERE staff_id = ?`, staffID)
	if err != nil {
		return 0, fmt.Errorf("delete staff passkeys: %w", err)
	}
	return res.RowsAffected()
}

// StaffWebAuthnUserID returns the staff member's user handle, making a
// random one the first time.
func (tx *Tx) StaffWebAuthnUserID(ctx context.Context, staffID int64) ([]byte, error) {
	var id []byte
	if err := tx.QueryRowContext(ctx, `SELECT webauthn_user_id FROM staff WHERE id = ?`, staffID).Scan(&id); err != nil {
		return nil, fmt.Errorf("staff webauthn user id: %w", err)
	}
	if len(id) > 0 {
		return id, nil
	}
	id = make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET webauthn_user_id = ? WHERE id = ?`, id, staffID); err != nil {
		return nil, fmt.Errorf("set staff webauthn user id: %w", err)
	}
	return id, nil
}

// StaffWebAuthnUserIDOf returns the staff member's user handle, or nil if
// they never registered a passkey.
func (db *DB) StaffWebAuthnUserIDOf(ctx context.Context, staffID int64) ([]byte, error) {
	var id []byte
	if err := db.QueryRowContext(ctx, `SELECT webauthn_user_id FROM staff WHERE id = ?`, staffID).Scan(&id); err != nil {
		return nil, fmt.Errorf("staff webauthn user id: %w", err)
	}
	return id, nil
}

// StaffByWebAuthnUserID finds the staff member a user handle belongs to;
// a customer's handle is never found here.
func (db *DB) StaffByWebAuthnUserID(ctx context.Context, handle []byte) (*Staff, error) {
	if len(handle) == 0 {
		return nil, fmt.Errorf("staff by user handle: %w", ErrNotFound)
	}
	s, err := scanStaff(db.QueryRowContext(ctx, staffSelect+` WHERE s.webauthn_user_id = ?`, handle))
	if err != nil {
		return nil, fmt.Errorf("staff by user handle: %w", err)
	}
	return s, nil
}
