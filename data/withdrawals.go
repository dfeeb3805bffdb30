package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BankAccount is where a customer's withdrawals go.
type BankAccount struct {
	ID            int64
	CustomerID    int64
	BankName      string
	BranchName    string
	AccountType   string
	AccountNumber string
	HolderKana    string
}

// BankAccountOf returns the customer's registered bank account.
func (db *DB) BankAccountOf(ctx context.Context, customerID int64) (*BankAccount, error) {
	var b BankAccount
	err := db.QueryRowContext(ctx, `SELECT id, customer_id, bank_name, branch_name, account_type, account_number,
		holder_kana FROM bank_accounts WHERE customer_id = ?`, customerID).
		Scan(&b.ID, &b.CustomerID, &b.BankName, &b.BranchName, &b.AccountType, &b.AccountNumber, &b.HolderKana)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("bank account of %d: %w", customerID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("bank account of %d: %w", customerID, err)
	}
	return &b, nil
}

// SetBankAccount registers or replaces the customer's bank account.
func (tx *Tx) SetBankAccount(ctx context.Context, b *BankAccount) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO bank_accounts (customer_id, bank_name, branch_name, account_type,
		account_number, holder_kana, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (customer_id) DO UPDATE SET bank_name = excluded.bank_name, branch_name = excluded.branch_name,
		account_type = excluded.account_type, account_number = excluded.account_number,
		holder_kana = excluded.holder_kana, updated_at = excluded.updated_at`,
		b.CustomerID, b.BankName, b.BranchName, b.AccountType, b.AccountNumber, b.HolderKana, tx.now.Unix())
	if err != nil {
		return fmt.Errorf("set bank account: %w", err)
	}
	return nil
}

// Withdrawal is a withdrawal instruction.
type Withdrawal struct {
	ID            int64
	CustomerID    int64
	BankAccountID int64
	Amount        int64
	Status        string
	CreatedAt     time.Time
	RequestedAt   time.Time
}

// Withdrawal statuses.
const (
	WithdrawalAwaitingSecondFactor = "awaiting_second_factor"
	WithdrawalRequested            = "requested"
)

// CreateWithdrawal records an instruction in the given status.
func (tx *Tx) CreateWithdrawal(ctx context.Context, w *Withdrawal) (int64, error) {
	requested := int64(0)
	if w.Status == WithdrawalRequested {
		requested = tx.now.Unix()
	}
	id, err := tx.insertID(ctx, `INSERT INTO withdrawals (customer_id, bank_account_id, amount, status, created_at,
		requested_at) VALUES (?, ?, ?, ?, ?, ?)`, w.CustomerID, w.BankAccountID, w.Amount, w.Status, tx.now.Unix(), requested)
	if err != nil {
		return 0, fmt.Errorf("create withdrawal: %w", err)
	}
	return id, nil
}

// WithdrawalOf returns one of the customer's withdrawals.
func (db *DB) WithdrawalOf(ctx context.Context, customerID, id int64) (*Withdrawal, error) {
	var w Withdrawal
	var created, requested int64
	err := db.QueryRowContext(ctx, `SELECT id, customer_id, bank_account_id, amount, status, created_at, requested_at
		FROM withdrawals WHERE id = ? AND customer_id = ?`, id, customerID).
		Scan(&w.ID, &w.CustomerID, &w.BankAccountID, &w.Amount, &w.Status, &created, &requested)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("withdrawal %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("withdrawal %d: %w", id, err)
	}
	w.CreatedAt, w.RequestedAt = time.Unix(created, 0), time.Unix(requested, 0)
	return &w, nil
}

// MarkWithdrawalRequested moves an instruction waiting for its second
// factor to requested, once.
func (tx *Tx) MarkWithdrawalRequested(ctx context.Context, customerID, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE withdrawals SET status = 'requested', requested_at = ?
		WHERE id = ? AND customer_id = ? AND status = 'awaiting_second_factor'`, tx.now.Unix(), id, customerID)
	if err != nil {
		return fmt.Errorf("request withdrawal: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("withdrawal %d: %w", id, ErrConflict)
	}
	return nil
}

// RecentWithdrawals lists the customer's requested withdrawals, newest first.
func (db *DB) RecentWithdrawals(ctx context.Context, customerID int64, limit int) ([]Withdrawal, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, customer_id, bank_account_id, amount, status, created_at, requested_at
		FROM withdrawals WHERE customer_id = ? AND status = 'requested' ORDER BY id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent withdrawals: %w", err)
	}
	defer rows.Close()
	var out []Withdrawal
	for rows.Next() {
		var w Withdrawal
		var created, requested int64
		if err := rows.Scan(&w.ID, &w.CustomerID, &w.BankAccountID, &w.Amount, &w.Status, &created, &requested); err != nil {
			return nil, fmt.Errorf("scan withdrawal: %w", err)
		}
		w.CreatedAt, w.RequestedAt = time.Unix(created, 0), time.Unix(requested, 0)
		out = append(out, w)
	}
	return out, rows.Err()
}
