package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TempPass is a temporary access pass support issued: one use, short
// validity. Only a keyed hash of the pass is stored.
type TempPass struct {
	ID         int64
	CustomerID int64
	CaseID     int64
	StaffID    int64
	RequestID  int64
	PassHash   string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// CreateTempPass voids the customer's earlier unused passes, so only the
// newest one works, and stores the new one.
func (tx *Tx) CreateTempPass(ctx context.Context, p *TempPass) (int64, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE temp_passes SET voided_at = ?
		WHERE customer_id = ? AND used_at = 0 AND voided_at = 0`, tx.now.Unix(), p.CustomerID); err != nil {
		return 0, fmt.Errorf("void old temp passes: %w", err)
	}
	id, err := tx.insertID(ctx, `INSERT INTO temp_passes (customer_id, case_id, staff_id, request_id, pass_hash,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, p.CustomerID, p.CaseID, p.StaffID, nullID(p.RequestID),
		p.PassHash, tx.now.Unix(), p.ExpiresAt.Unix())
	if err != nil {
		return 0, fmt.Errorf("create temp pass: %w", err)
	}
	return id, nil
}

// OpenTempPass returns the customer's newest pass that is neither used nor
// voided (it may have expired: the caller decides and says so).
func (tx *Tx) OpenTempPass(ctx context.Context, customerID int64) (*TempPass, error) {
	var p TempPass
	var request sql.NullInt64
	var created, expires int64
	err := tx.QueryRowContext(ctx, `SELECT id, customer_id, case_id, staff_id, request_id, pass_hash, created_at, expires_at
		FROM temp_passes WHERE customer_id = ? AND used_at = 0 AND voided_at = 0 ORDER BY id DESC LIMIT 1`, customerID).
		Scan(&p.ID, &p.CustomerID, &p.CaseID, &p.StaffID, &request, &p.PassHash, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("open temp pass: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open temp pass: %w", err)
	}
	p.RequestID, p.CreatedAt, p.ExpiresAt = request.Int64, time.Unix(created, 0), time.Unix(expires, 0)
	return &p, nil
}

// UseTempPass marks a pass used if nobody did first, and reports whether
// this call did: of parallel logins with one pass exactly one wins.
func (tx *Tx) UseTempPass(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE temp_passes SET used_at = ? WHERE id = ? AND used_at = 0 AND voided_at = 0`,
		tx.now.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("use temp pass: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// VoidTempPasses voids every unused pass of the customer (a pass that
// failed too often, or a new reset).
func (tx *Tx) VoidTempPasses(ctx context.Context, customerID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE temp_passes SET voided_at = ? WHERE customer_id = ? AND used_at = 0 AND voided_at = 0`,
		tx.now.Unix(), customerID); err != nil {
		return fmt.Errorf("void temp passes: %w", err)
	}
	return nil
}
