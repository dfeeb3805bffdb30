package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mfadesk/contact"
)

// ImportedState is what the customer import compares a row of the back
// office's export with: the customer, whether the account is closed, and
// the postal address on record (zero Postcode: none).
type ImportedState struct {
	Customer
	Closed  bool
	Address contact.Address
}

// ImportedStateByAccount reads an account's state for the import, closed
// or not; ErrNotFound when the account number is new.
func (tx *Tx) ImportedStateByAccount(ctx context.Context, account string) (*ImportedState, error) {
	var closedAt int64
	c, err := scanCustomer(tx.QueryRowContext(ctx,
		`SELECT `+customerColumns+`, closed_at FROM customers WHERE account_number = ?`, account), &closedAt)
	if err != nil {
		return nil, fmt.Errorf("imported customer %s: %w", account, err)
	}
	st := &ImportedState{Customer: *c, Closed: closedAt > 0}
	st.Address, err = tx.CustomerAddress(ctx, c.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return st, nil
}

// AccountOfLoginID is the account number holding a login ID, open or
// closed ("" when none does).
func (tx *Tx) AccountOfLoginID(ctx context.Context, loginID string) (string, error) {
	var account string
	err := tx.QueryRowContext(ctx, `SELECT account_number FROM customers WHERE login_id = ?`, loginID).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account of login id: %w", err)
	}
	return account, nil
}

// CreateImportedCustomer inserts a customer from the import.
func (tx *Tx) CreateImportedCustomer(ctx context.Context, c *Customer, closed bool) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO customers (account_number, login_id, name_kanji, name_kana,
		birth_date, email, email_status, phone, phone_verified, password_hash, trading_password_hash, lang,
		closed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.AccountNumber, c.LoginID, c.NameKanji, c.NameKana, c.BirthDate, c.Email, c.EmailStatus,
		c.Phone, boolInt(c.PhoneVerified), c.PasswordHash, c.TradingPasswordHash, c.Lang,
		closedAt(closed, tx.now.Unix()), tx.now.Unix(), tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("create imported customer %s: %w", c.AccountNumber, err)
	}
	return id, nil
}

// UpdateImportedCustomer writes what the import may change of an existing
// customer: login ID, names, birth date, contacts with their status,
// language, password hash and whether the account is closed. A closed
// account keeps the time it was first seen closed.
func (tx *Tx) UpdateImportedCustomer(ctx context.Context, c *Customer, closed bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET login_id = ?, name_kanji = ?, name_kana = ?, birth_date = ?,
		email = ?, email_status = ?, phone = ?, phone_verified = ?, password_hash = ?, lang = ?,
		closed_at = CASE WHEN ? = 0 THEN 0 WHEN closed_at > 0 THEN closed_at ELSE ? END, updated_at = ? WHERE id = ?`,
		c.LoginID, c.NameKanji, c.NameKana, c.BirthDate, c.Email, c.EmailStatus, c.Phone, boolInt(c.PhoneVerified),
		c.PasswordHash, c.Lang, boolInt(closed), tx.now.Unix(), tx.now.Unix(), c.ID)
	if err != nil {
		return fmt.Errorf("update imported customer %s: %w", c.AccountNumber, err)
	}
	return nil
}

func closedAt(closed bool, now int64) int64 {
	if closed {
		return now
	}
	return 0
}

// DemoDataFound lists the signs of demo data in the database: customers
// with one of the demo login IDs, and the demo seeding's audit event.
func (db *DB) DemoDataFound(ctx context.Context, demoLoginIDs []string) ([]string, error) {
	var found []string
	if len(demoLoginIDs) > 0 {
		args := make([]any, len(demoLoginIDs))
		for i, id := range demoLoginIDs {
			args[i] = id
		}
		rows, err := db.QueryContext(ctx, `SELECT login_id FROM customers WHERE login_id IN (?`+
			strings.Repeat(", ?", len(demoLoginIDs)-1)+`) ORDER BY login_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("demo customers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, fmt.Errorf("demo customers: %w", err)
			}
			found = append(found, "customer "+id)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("demo customers: %w", err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'demo.seed'`).Scan(&n); err != nil {
		return nil, fmt.Errorf("demo seeding event: %w", err)
	}
	if n > 0 {
		found = append(found, "the demo seeding's audit event (demo.seed)")
	}
	return found, nil
}
