package data

import (
	"context"
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
	return confirmedFactors(ctx, db.sql, customerID)
}

// ConfirmedFactors lists the factors inside a transaction, for checks
// whose outcome is written in that same transaction.
func (tx *Tx) ConfirmedFactors(ctx context.Context, customerID int64) ([]Factor, error) {
	return confirmedFactors(ctx, tx.tx, customerID)
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
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO factors (customer_id, kind, secret_enc, phone, use_login,
		use_account, use_withdrawal, last_step, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.CustomerID, f.Kind, f.SecretEnc, f.Phone, boolInt(f.UseLogin), boolInt(f.UseAccount),
		boolInt(f.UseWithdrawal), f.LastStep, tx.now.Unix(), unixOrZero(f.ConfirmedAt))
	if err != nil {
		return 0, fmt.Errorf("create factor: %w", err)
	}
	return res.LastInsertId()
}

// AdvanceTOTPStep is the TOTP replay guard: it records step as the last
// accepted one only if it is later than the one stored, and reports whether
// it did. Of many concurrent requests with one code exactly one wins. A
// plain conditional UPDATE, so it works the same on PostgreSQL.
func (tx *Tx) AdvanceTOTPStep(ctx context.Context, factorID, step int64) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE factors SET last_step = ? WHERE id = ? AND last_step < ?`,
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
