package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Factor kinds.
const (
	FactorTOTP = "totp"
	FactorSMS  = "sms"
)

// Factor is an enrolled possession factor: an authenticator app or an SMS number.
type Factor struct {
	ID            int64
	CustomerID    int64
	Kind          string
	SecretEnc     []byte
	Phone         string
	UseLogin      bool
	UseAccount    bool
	UseWithdrawal bool
	LastStep      int64
	CreatedAt     time.Time
	ConfirmedAt   time.Time
}

// ConfirmedFactors lists a customer's confirmed factors, oldest first.
func (db *DB) ConfirmedFactors(ctx context.Context, customerID int64) ([]Factor, error) {
	return confirmedFactors(ctx, db, customerID)
}

// ConfirmedFactors lists the factors inside a transaction, for checks
// whose outcome is written in that same transaction.
func (tx *Tx) ConfirmedFactors(ctx context.Context, customerID int64) ([]Factor, error) {
	return confirmedFactors(ctx, tx, customerID)
}

func confirmedFactors(ctx context.Context, q queryer, customerID int64) ([]Factor, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, kind, secret_enc, phone, use_login,
		use_account, use_withdrawal, last_step, created_at, confirmed_at
		FROM factors WHERE customer_id = ? AND confirmed_at > 0 ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("factors of %d: %w", customerID, err)
	}
	defer rows.Close()
	var out []Factor
	for rows.Next() {
		var f Factor
		var created, confirmed int64
		if err := rows.Scan(&f.ID, &f.CustomerID, &f.Kind, &f.SecretEnc, &f.Phone, &f.UseLogin,
			&f.UseAccount, &f.UseWithdrawal, &f.LastStep, &created, &confirmed); err != nil {
			return nil, fmt.Errorf("scan factor: %w", err)
		}
		f.CreatedAt, f.ConfirmedAt = time.Unix(created, 0), time.Unix(confirmed, 0)
		out = append(out, f)
	}
	return out, rows.Err()
}

// CreateFactor inserts a factor; a zero ConfirmedAt leaves it pending.
func (tx *Tx) CreateFactor(ctx context.Context, f *Factor) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO factors (customer_id, kind, secret_enc, phone, use_login,
		use_account, use_withdrawal, last_step, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.CustomerID, f.Kind, f.SecretEnc, f.Phone, boolInt(f.UseLogin), boolInt(f.UseAccount),
		boolInt(f.UseWithdrawal), f.LastStep, tx.now.Unix(), unixOrZero(f.ConfirmedAt))
	if err != nil {
		return 0, fmt.Errorf("create factor: %w", err)
	}
	return id, nil
}

// AdvanceTOTPStep is the TOTP replay guard: it records step as the last
// accepted one only if it is later than the one stored, and reports whether
// it did. Of many concurrent requests with one code exactly one wins. A
// plain conditional UPDATE, so it works the same on PostgreSQL.
func (tx *Tx) AdvanceTOTPStep(ctx context.Context, factorID, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE factors SET last_step = ? WHERE id = ? AND last_step < ?`,
		step, factorID, step)
	if err != nil {
		return false, fmt.Errorf("advance totp step: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// Uses says which of the three services a factor is used for.
type Uses struct {
	Login      bool
	Account    bool
	Withdrawal bool
}

// PendingFactor returns the customer's unconfirmed factor of a kind.
func (db *DB) PendingFactor(ctx context.Context, customerID int64, kind string) (*Factor, error) {
	return pendingFactor(ctx, db, customerID, kind)
}

// PendingFactor reads the unconfirmed factor inside a transaction.
func (tx *Tx) PendingFactor(ctx context.Context, customerID int64, kind string) (*Factor, error) {
	return pendingFactor(ctx, tx, customerID, kind)
}

func pendingFactor(ctx context.Context, q queryer, customerID int64, kind string) (*Factor, error) {
	var f Factor
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, customer_id, kind, secret_enc, phone, created_at FROM factors
		WHERE customer_id = ? AND kind = ? AND confirmed_at = 0 ORDER BY id DESC LIMIT 1`, customerID, kind).
		Scan(&f.ID, &f.CustomerID, &f.Kind, &f.SecretEnc, &f.Phone, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("pending %s factor: %w", kind, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pending %s factor: %w", kind, err)
	}
	f.CreatedAt, f.LastStep = time.Unix(created, 0), -1
	return &f, nil
}

// DeletePendingFactors drops unconfirmed enrolments of a kind, so only the
// newest QR code can ever be confirmed.
func (tx *Tx) DeletePendingFactors(ctx context.Context, customerID int64, kind string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM factors WHERE customer_id = ? AND kind = ? AND confirmed_at = 0`,
		customerID, kind); err != nil {
		return fmt.Errorf("delete pending factors: %w", err)
	}
	return nil
}

// ConfirmFactor activates a pending factor with its uses; lastStep is the
// TOTP step of the confirming code, so that code cannot then log in.
func (tx *Tx) ConfirmFactor(ctx context.Context, id int64, uses Uses, lastStep int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE factors SET confirmed_at = ?, use_login = ?, use_account = ?,
		use_withdrawal = ?, last_step = ? WHERE id = ? AND confirmed_at = 0`,
		tx.now.Unix(), boolInt(uses.Login), boolInt(uses.Account), boolInt(uses.Withdrawal), lastStep, id)
	if err != nil {
		return fmt.Errorf("confirm factor: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("confirm factor %d: %w", id, ErrConflict)
	}
	return nil
}

// DeleteFactors removes the customer's confirmed factors of a kind except
// keepID, and reports how many went.
func (tx *Tx) DeleteFactors(ctx context.Context, customerID int64, kind string, keepID int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM factors WHERE customer_id = ? AND kind = ? AND confirmed_at > 0 AND id != ?`,
		customerID, kind, keepID)
	if err != nil {
		return 0, fmt.Errorf("delete factors: %w", err)
	}
	return res.RowsAffected()
}

// SetFactorUses records which services a factor of the customer is used for.
func (tx *Tx) SetFactorUses(ctx context.Context, customerID, factorID int64, uses Uses) error {
	res, err := tx.ExecContext(ctx, `UPDATE factors SET use_login = ?, use_account = ?, use_withdrawal = ?
		WHERE id = ? AND customer_id = ? AND confirmed_at > 0`,
		boolInt(uses.Login), boolInt(uses.Account), boolInt(uses.Withdrawal), factorID, customerID)
	if err != nil {
		return fmt.Errorf("set factor uses: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("factor %d of customer %d: %w", factorID, customerID, ErrNotFound)
	}
	return nil
}
