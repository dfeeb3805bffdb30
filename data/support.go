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

// HasAnyFactor reports whether the customer has a confirmed factor or a passkey.
func (db *DB) HasAnyFactor(ctx context.Context, customerID int64) (bool, error) {
	var has bool
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM factors WHERE customer_id = ? AND confirmed_at > 0)
		OR EXISTS (SELECT 1 FROM passkeys WHERE customer_id = ?)`, customerID, customerID).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("factors of %d: %w", customerID, err)
	}
	return has, nil
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
