package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Customer is a brokerage customer as the authentication side sees them.
type Customer struct {
	ID                  int64
	AccountNumber       string
	LoginID             string
	NameKanji           string
	NameKana            string
	Lang                string // the site language the customer last chose while logged in: ja or en
	BirthDate           string
	Email               string
	EmailStatus         string
	Phone               string
	PhoneVerified       bool
	PasswordHash        string
	TradingPasswordHash string
	MFAFailures         int
	MFALastFailureAt    time.Time
	MFALockedUntil      time.Time
	// WithdrawalHoldUntil: withdrawals are refused until then, for the reason given.
	WithdrawalHoldUntil  time.Time
	WithdrawalHoldReason string
	// PasskeyPromptsPostponed counts 「あとで」 answers to the passkey prompt.
	PasskeyPromptsPostponed int
	// MFAResetAt is when support last reset the customer's factors (zero
	// if never): until they enrol again, they may only enrol.
	MFAResetAt time.Time
}

// HasValidEmail reports whether codes and notices can go to the email address.
func (c *Customer) HasValidEmail() bool {
	return c.Email != "" && c.EmailStatus == "verified"
}

const customerColumns = `id, account_number, login_id, name_kanji, name_kana, birth_date,
	email, email_status, phone, phone_verified, password_hash, trading_password_hash,
	mfa_failures, mfa_last_failure_at, mfa_locked_until, withdrawal_hold_until, withdrawal_hold_reason,
	passkey_prompts_postponed, mfa_reset_at, lang`

// scanCustomer reads customerColumns, then the extra columns selected after them.
func scanCustomer(row interface{ Scan(...any) error }, extra ...any) (*Customer, error) {
	var c Customer
	var lastFail, lockedUntil, holdUntil, resetAt int64
	err := row.Scan(append([]any{&c.ID, &c.AccountNumber, &c.LoginID, &c.NameKanji, &c.NameKana, &c.BirthDate,
		&c.Email, &c.EmailStatus, &c.Phone, &c.PhoneVerified, &c.PasswordHash, &c.TradingPasswordHash,
		&c.MFAFailures, &lastFail, &lockedUntil, &holdUntil, &c.WithdrawalHoldReason, &c.PasskeyPromptsPostponed, &resetAt, &c.Lang}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.MFALastFailureAt = time.Unix(lastFail, 0)
	c.MFALockedUntil = time.Unix(lockedUntil, 0)
	c.WithdrawalHoldUntil = time.Unix(holdUntil, 0)
	if resetAt > 0 {
		c.MFAResetAt = time.Unix(resetAt, 0)
	}
	return &c, nil
}

// CustomerByLoginID finds an open customer by normalised login ID: a
// closed account is not found, so it can neither log in nor reset a
// password (docs/operations.md, "Importing customers").
func (db *DB) CustomerByLoginID(ctx context.Context, loginID string) (*Customer, error) {
	c, err := scanCustomer(db.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE login_id = ? AND closed_at = 0`, loginID))
	if err != nil {
		return nil, fmt.Errorf("customer by login id: %w", err)
	}
	return c, nil
}

// CustomerByID finds a customer by id.
func (db *DB) CustomerByID(ctx context.Context, id int64) (*Customer, error) {
	if c, ok := lookup(db.cache, &db.cache.customers, id); ok {
		return &c, nil
	}
	snap := db.cache.snapshot(customerStripe(id))
	c, err := db.customerByID(ctx, id)
	if err == nil {
		store(db.cache, &db.cache.customers, id, *c, snap)
	}
	return c, err
}

func (db *DB) customerByID(ctx context.Context, id int64) (*Customer, error) {
	c, err := scanCustomer(db.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("customer %d: %w", id, err)
	}
	return c, nil
}

// CustomerByAccountNumber reads a customer by account number inside the transaction.
func (tx *Tx) CustomerByAccountNumber(ctx context.Context, account string) (*Customer, error) {
	c, err := scanCustomer(tx.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE account_number = ?`, account))
	if err != nil {
		return nil, fmt.Errorf("customer by account number: %w", err)
	}
	return c, nil
}

// CustomerByID reads a customer inside the transaction.
func (tx *Tx) CustomerByID(ctx context.Context, id int64) (*Customer, error) {
	c, err := scanCustomer(tx.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("customer %d: %w", id, err)
	}
	return c, nil
}

// CountCustomers counts customers; demo data goes only into an empty database.
func (db *DB) CountCustomers(ctx context.Context) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", err)
	}
	return n, nil
}

// CreateCustomer inserts a customer and returns its id.
func (tx *Tx) CreateCustomer(ctx context.Context, c *Customer) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO customers (account_number, login_id, name_kanji, name_kana,
		birth_date, email, email_status, phone, phone_verified, password_hash, trading_password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.AccountNumber, c.LoginID, c.NameKanji, c.NameKana, c.BirthDate, c.Email, c.EmailStatus,
		c.Phone, boolInt(c.PhoneVerified), c.PasswordHash, c.TradingPasswordHash, tx.now.Unix(), tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("create customer %s: %w", c.LoginID, err)
	}
	return id, nil
}

// SetMFAFailures records the consecutive second-factor failure count and,
// when the limit was reached, the end of the lock.
func (tx *Tx) SetMFAFailures(ctx context.Context, customerID int64, failures int, lastFailure, lockedUntil time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET mfa_failures = ?, mfa_last_failure_at = ?,
		mfa_locked_until = ?, updated_at = ? WHERE id = ?`,
		failures, unixOrZero(lastFailure), unixOrZero(lockedUntil), tx.now.Unix(), customerID)
	if err != nil {
		return fmt.Errorf("set mfa failures: %w", err)
	}
	return nil
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// SetEmail makes a confirmed address the customer's email.
func (tx *Tx) SetEmail(ctx context.Context, customerID int64, email string) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET email = ?, email_status = 'verified', updated_at = ? WHERE id = ?`,
		email, tx.now.Unix(), customerID)
	if err != nil {
		return fmt.Errorf("set email: %w", err)
	}
	return nil
}

// SetPhone makes a confirmed number the customer's phone.
func (tx *Tx) SetPhone(ctx context.Context, customerID int64, phone string) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET phone = ?, phone_verified = 1, updated_at = ? WHERE id = ?`,
		phone, tx.now.Unix(), customerID)
	if err != nil {
		return fmt.Errorf("set phone: %w", err)
	}
	return nil
}

// HoldWithdrawals holds withdrawals until the given time, never shortening
// a hold already running.
func (tx *Tx) HoldWithdrawals(ctx context.Context, customerID int64, until time.Time, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET withdrawal_hold_until = ?, withdrawal_hold_reason = ?, updated_at = ?
		WHERE id = ? AND withdrawal_hold_until < ?`, until.Unix(), reason, tx.now.Unix(), customerID, until.Unix())
	if err != nil {
		return fmt.Errorf("hold withdrawals: %w", err)
	}
	return nil
}

// SetCustomerLang records the language the customer chose on the site.
func (db *DB) SetCustomerLang(ctx context.Context, customerID int64, lang string) error {
	_, err := db.ExecContext(ctx, `UPDATE customers SET lang = ?, updated_at = ? WHERE id = ?`, lang, db.unix(), customerID)
	if err != nil {
		return fmt.Errorf("set customer language: %w", err)
	}
	return nil
}

// PostponePasskeyPrompt counts one more 「あとで」 to the passkey prompt.
func (db *DB) PostponePasskeyPrompt(ctx context.Context, customerID int64) error {
	_, err := db.ExecContext(ctx, `UPDATE customers SET passkey_prompts_postponed = passkey_prompts_postponed + 1,
		updated_at = ? WHERE id = ?`, db.unix(), customerID)
	if err != nil {
		return fmt.Errorf("postpone passkey prompt: %w", err)
	}
	return nil
}
