package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Support-side state of a customer and of staff, kept beside the rows
// customers.go and staff.go describe.

// MarkMFAReset records a support reset: until the customer enrols a
// factor again, their logins reach only the enrolment pages.
func (tx *Tx) MarkMFAReset(ctx context.Context, customerID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET mfa_reset_at = ?, updated_at = ? WHERE id = ?`,
		tx.now.Unix(), tx.now.Unix(), customerID); err != nil {
		return fmt.Errorf("mark mfa reset: %w", err)
	}
	return nil
}

// ReenrolmentPending reports whether support reset the customer's second
// factors and no factor or passkey has been enrolled since. Factors
// enrolled before the reset were removed by it, so any left count.
func (db *DB) ReenrolmentPending(ctx context.Context, customerID int64) (bool, error) {
	var pending bool
	err := db.QueryRowContext(ctx, `SELECT mfa_reset_at > 0
		AND NOT EXISTS (SELECT 1 FROM factors WHERE customer_id = customers.id AND confirmed_at > 0)
		AND NOT EXISTS (SELECT 1 FROM passkeys WHERE customer_id = customers.id)
		FROM customers WHERE id = ?`, customerID).Scan(&pending)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("reenrolment of %d: %w", customerID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("reenrolment of %d: %w", customerID, err)
	}
	return pending, nil
}

// TempPassEnrolmentPending reports whether the customer used a temporary
// pass and no factor or passkey was enrolled since: a session started
// with the pass reaches only enrolment until then, whatever factors the
// customer still had (MarkTempPassEnrolled ends it).
func (db *DB) TempPassEnrolmentPending(ctx context.Context, customerID int64) (bool, error) {
	var pending bool
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM temp_passes
		WHERE customer_id = ? AND used_at > 0 AND enrolled_at = 0)`, customerID).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("temp pass enrolment of %d: %w", customerID, err)
	}
	return pending, nil
}

// MarkTempPassEnrolled records, in the enrolment's transaction, that a
// factor was enrolled after the customer's used passes.
func (tx *Tx) MarkTempPassEnrolled(ctx context.Context, customerID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE temp_passes SET enrolled_at = ?
		WHERE customer_id = ? AND used_at > 0 AND enrolled_at = 0`, tx.now.Unix(), customerID); err != nil {
		return fmt.Errorf("mark temp pass enrolled: %w", err)
	}
	return nil
}

// StaffCustomerID returns the staff member's own brokerage account, or 0.
func (tx *Tx) StaffCustomerID(ctx context.Context, staffID int64) (int64, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT customer_id FROM staff WHERE id = ?`, staffID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("staff %d: %w", staffID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("staff %d customer: %w", staffID, err)
	}
	return id.Int64, nil
}

// SetStaffCustomer links a staff member to their own brokerage account
// (0 removes the link), so they cannot act on it.
func (tx *Tx) SetStaffCustomer(ctx context.Context, staffID, customerID int64) error {
	return tx.updateStaff(ctx, staffID, `customer_id = ?`, nullID(customerID))
}
