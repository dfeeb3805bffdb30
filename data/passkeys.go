package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Passkey is a registered WebAuthn credential of a customer.
type Passkey struct {
	ID             int64
	CustomerID     int64
	CredentialID   []byte
	CredentialJSON string
	Name           string
	SignCount      uint32
	Cloned         bool
	UseLogin       bool
	UseAccount     bool
	UseWithdrawal  bool
	CreatedAt      time.Time
	LastUsedAt     time.Time
}

const passkeyColumns = `id, customer_id, credential_id, credential_json, name, sign_count, cloned,
	use_login, use_account, use_withdrawal, created_at, last_used_at`

func scanPasskeys(rows *sql.Rows) ([]Passkey, error) {
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var created, used int64
		if err := rows.Scan(&p.ID, &p.CustomerID, &p.CredentialID, &p.CredentialJSON, &p.Name, &p.SignCount, &p.Cloned,
			&p.UseLogin, &p.UseAccount, &p.UseWithdrawal, &created, &used); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		p.CreatedAt, p.LastUsedAt = time.Unix(created, 0), time.Unix(used, 0)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PasskeysOf lists a customer's passkeys, oldest first.
func (db *DB) PasskeysOf(ctx context.Context, customerID int64) ([]Passkey, error) {
	return passkeysOf(ctx, db, customerID)
}

// PasskeysOf lists the passkeys inside a transaction.
func (tx *Tx) PasskeysOf(ctx context.Context, customerID int64) ([]Passkey, error) {
	return passkeysOf(ctx, tx, customerID)
}

func passkeysOf(ctx context.Context, q queryer, customerID int64) ([]Passkey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("passkeys of %d: %w", customerID, err)
	}
	return scanPasskeys(rows)
}

// CreatePasskey stores a new passkey.
func (tx *Tx) CreatePasskey(ctx context.Context, p *Passkey) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO passkeys (customer_id, credential_id, credential_json, name, sign_count,
		use_login, use_account, use_withdrawal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.CustomerID, p.CredentialID, p.CredentialJSON, p.Name, p.SignCount,
		boolInt(p.UseLogin), boolInt(p.UseAccount), boolInt(p.UseWithdrawal), tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("create passkey: %w", err)
	}
	return id, nil
}

// PasskeyUsed records a successful assertion: the new counter and record,
// only if the stored counter is still the one the check saw, so two
// parallel uses of one assertion cannot both pass.
func (tx *Tx) PasskeyUsed(ctx context.Context, id int64, oldCount, newCount uint32, credentialJSON string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE passkeys SET sign_count = ?, credential_json = ?, last_used_at = ?
		WHERE id = ? AND sign_count = ? AND cloned = 0`, newCount, credentialJSON, tx.now.Unix(), id, oldCount)
	if err != nil {
		return false, fmt.Errorf("passkey used: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkPasskeyCloned refuses a passkey from now on.
func (tx *Tx) MarkPasskeyCloned(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE passkeys SET cloned = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("mark passkey cloned: %w", err)
	}
	return nil
}

// DeletePasskey removes one of the customer's passkeys.
func (tx *Tx) DeletePasskey(ctx context.Context, customerID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE id = ? AND customer_id = ?`, id, customerID)
	if err != nil {
		return fmt.Errorf("delete passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("passkey %d: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteAllPasskeys removes every passkey of the customer (support reset).
func (tx *Tx) DeleteAllPasskeys(ctx context.Context, customerID int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE customer_id = ?`, customerID)
	if err != nil {
		return 0, fmt.Errorf("delete passkeys: %w", err)
	}
	return res.RowsAffected()
}

// SetPasskeyUses records which services a passkey is used for.
func (tx *Tx) SetPasskeyUses(ctx context.Context, customerID, id int64, uses Uses) error {
	res, err := tx.ExecContext(ctx, `UPDATE passkeys SET use_login = ?, use_account = ?, use_withdrawal = ?
		WHERE id = ? AND customer_id = ?`, boolInt(uses.Login), boolInt(uses.Account), boolInt(uses.Withdrawal), id, customerID)
	if err != nil {
		return fmt.Errorf("set passkey uses: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("passkey %d: %w", id, ErrNotFound)
	}
	return nil
}

// WebAuthnUserID returns the customer's user handle, making a random one
// the first time.
func (tx *Tx) WebAuthnUserID(ctx context.Context, customerID int64) ([]byte, error) {
	var id []byte
	if err := tx.QueryRowContext(ctx, `SELECT webauthn_user_id FROM customers WHERE id = ?`, customerID).Scan(&id); err != nil {
		return nil, fmt.Errorf("webauthn user id: %w", err)
	}
	if len(id) > 0 {
		return id, nil
	}
	id = make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET webauthn_user_id = ? WHERE id = ?`, id, customerID); err != nil {
		return nil, fmt.Errorf("set webauthn user id: %w", err)
	}
	return id, nil
}

// CustomerByWebAuthnUserID finds the open customer a user handle belongs to.
func (db *DB) CustomerByWebAuthnUserID(ctx context.Context, handle []byte) (*Customer, error) {
	if len(handle) == 0 {
		return nil, fmt.Errorf("customer by user handle: %w", ErrNotFound)
	}
	c, err := scanCustomer(db.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE webauthn_user_id = ? AND closed_at = 0`, handle))
	if err != nil {
		return nil, fmt.Errorf("customer by user handle: %w", err)
	}
	return c, nil
}

// SaveCeremony stores a WebAuthn ceremony's state for the session,
// replacing an earlier one of the same kind.
func (db *DB) SaveCeremony(ctx context.Context, sessionHash, kind, state string, expires time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO webauthn_ceremonies (session_hash, kind, data, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_hash, kind) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
		sessionHash, kind, state, expires.Unix())
	if err != nil {
		return fmt.Errorf("save ceremony: %w", err)
	}
	return nil
}

// TakeCeremony returns and deletes the ceremony state, so a challenge is
// used at most once; an expired one is deleted and not returned.
func (db *DB) TakeCeremony(ctx context.Context, sessionHash, kind string) (string, error) {
	var state string
	var expires int64
	err := db.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT data, expires_at FROM webauthn_ceremonies WHERE session_hash = ? AND kind = ?`,
			sessionHash, kind).Scan(&state, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("ceremony: %w", ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("ceremony: %w", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM webauthn_ceremonies WHERE session_hash = ? AND kind = ?`, sessionHash, kind)
		return err
	})
	if err != nil {
		return "", err
	}
	if expires <= db.unix() {
		return "", fmt.Errorf("ceremony expired: %w", ErrNotFound)
	}
	return state, nil
}

// WebAuthnUserIDOf returns the customer's user handle, or nil if they
// never registered a passkey.
func (db *DB) WebAuthnUserIDOf(ctx context.Context, customerID int64) ([]byte, error) {
	var id []byte
	if err := db.QueryRowContext(ctx, `SELECT webauthn_user_id FROM customers WHERE id = ?`, customerID).Scan(&id); err != nil {
		return nil, fmt.Errorf("webauthn user id: %w", err)
	}
	return id, nil
}
