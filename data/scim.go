package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ScimToken is a back-office bearer token for the SCIM API, as stored:
// the SHA-256 of the token, never the token.
type ScimToken struct {
	ID        int64
	Name      string
	Hash      []byte
	CreatedAt time.Time
	RevokedAt time.Time // zero while usable
}

// ErrScimTokenNameTaken: a token not revoked already has the name.
var ErrScimTokenNameTaken = errors.New("a SCIM token not revoked already has this name")

// CreateScimToken stores a new token's hash under a name no usable token has.
func (tx *Tx) CreateScimToken(ctx context.Context, name string, hash []byte) (int64, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM scim_tokens WHERE name = ? AND revoked_at = 0`,
		name).Scan(&n); err != nil {
		return 0, fmt.Errorf("scim token name: %w", err)
	}
	if n > 0 {
		return 0, ErrScimTokenNameTaken
	}
	id, err := tx.insertID(ctx, `INSERT INTO scim_tokens (name, token_hash, created_at) VALUES (?, ?, ?)`,
		name, hash, tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("create scim token: %w", err)
	}
	return id, nil
}

// RevokeScimToken revokes the usable token of that name; ErrNotFound
// when there is none.
func (tx *Tx) RevokeScimToken(ctx context.Context, name string) error {
	res, err := tx.ExecContext(ctx, `UPDATE scim_tokens SET revoked_at = ? WHERE name = ? AND revoked_at = 0`,
		tx.now.Unix(), name)
	if err != nil {
		return fmt.Errorf("revoke scim token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("revoke scim token: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("scim token %q: %w", name, ErrNotFound)
	}
	return nil
}

// ScimTokens lists the tokens, revoked ones too, oldest first; usable
// only keeps those not revoked.
func (db *DB) ScimTokens(ctx context.Context, usable bool) ([]ScimToken, error) {
	q := `SELECT id, name, token_hash, created_at, revoked_at FROM scim_tokens`
	if usable {
		q += ` WHERE revoked_at = 0`
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("scim tokens: %w", err)
	}
	defer rows.Close()
	var list []ScimToken
	for rows.Next() {
		var t ScimToken
		var created, revoked int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Hash, &created, &revoked); err != nil {
			return nil, fmt.Errorf("scim tokens: %w", err)
		}
		t.CreatedAt = time.Unix(created, 0)
		if revoked > 0 {
			t.RevokedAt = time.Unix(revoked, 0)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scim tokens: %w", err)
	}
	return list, nil
}

// EnsureScimID is the customer's SCIM id, candidate if they had none.
func (tx *Tx) EnsureScimID(ctx context.Context, customerID int64, candidate string) (string, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO scim_ids (customer_id, scim_id) VALUES (?, ?)
		ON CONFLICT (customer_id) DO NOTHING`, customerID, candidate); err != nil {
		return "", fmt.Errorf("scim id: %w", err)
	}
	var id string
	if err := tx.QueryRowContext(ctx, `SELECT scim_id FROM scim_ids WHERE customer_id = ?`, customerID).Scan(&id); err != nil {
		return "", fmt.Errorf("scim id: %w", err)
	}
	return id, nil
}

// AccountOfScimID is the account number of the customer with that SCIM
// id; ErrNotFound when none has it.
func (tx *Tx) AccountOfScimID(ctx context.Context, scimID string) (string, error) {
	var account string
	err := tx.QueryRowContext(ctx, `SELECT c.account_number FROM scim_ids s JOIN customers c ON c.id = s.customer_id
		WHERE s.scim_id = ?`, scimID).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("account of scim id: %w", err)
	}
	return account, nil
}

// ScimQuery selects customers for a SCIM list: by login ID or account
// number when set (both: both must match), a page in account order.
type ScimQuery struct {
	LoginID, Account string
	Offset, Limit    int
}

// ScimAccounts lists the account numbers of a page of the selected
// customers, closed ones too, and how many are selected in all.
func (tx *Tx) ScimAccounts(ctx context.Context, q ScimQuery) ([]string, int, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if q.LoginID != "" {
		where, args = where+` AND login_id = ?`, append(args, q.LoginID)
	}
	if q.Account != "" {
		where, args = where+` AND account_number = ?`, append(args, q.Account)
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("scim count: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT account_number FROM customers`+where+
		` ORDER BY account_number LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("scim accounts: %w", err)
	}
	defer rows.Close()
	var accounts []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, 0, fmt.Errorf("scim accounts: %w", err)
		}
		accounts = append(accounts, a)
	}
	return accounts, total, rows.Err()
}
