package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SetStaffTemporaryPassword gives a staff member a password someone else
// chose (an admin's reset): they must replace it at their next login.
func (tx *Tx) SetStaffTemporaryPassword(ctx context.Context, id int64, hash string) error {
	return tx.updateStaff(ctx, id, `password_hash = ?, must_change_password = 1`, hash)
}

// ReplaceStaffPassword sets the password the staff member chose, if the
// stored hash is still oldHash; ErrConflict when another request changed
// it after it was read.
func (tx *Tx) ReplaceStaffPassword(ctx context.Context, id int64, oldHash, newHash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash = ?, must_change_password = 0, updated_at = ?
		WHERE id = ? AND password_hash = ?`, newHash, tx.now.Unix(), id, oldHash)
	if err != nil {
		return fmt.Errorf("replace staff %d password: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("replace staff %d password: %w", id, ErrConflict)
	}
	return nil
}

// DeleteOtherStaffSessions ends every console session of a staff member
// but the one whose id hashes to keepHash.
func (tx *Tx) DeleteOtherStaffSessions(ctx context.Context, staffID int64, keepHash string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE staff_id = ? AND id_hash != ?`, staffID, keepHash); err != nil {
		return fmt.Errorf("delete other staff sessions: %w", err)
	}
	return nil
}

// OrganisationByID reads one organisation inside the transaction.
func (tx *Tx) OrganisationByID(ctx context.Context, id string) (*Organisation, error) {
	var o Organisation
	err := tx.QueryRowContext(ctx, `SELECT id, name, kind FROM organisations WHERE id = ?`, id).Scan(&o.ID, &o.Name, &o.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("organisation %s: %w", id, err)
	}
	return &o, nil
}

// RenameOrganisation changes an organisation's name; its id, which the
// policy and every staff row use, stays.
func (tx *Tx) RenameOrganisation(ctx context.Context, id, name string) error {
	res, err := tx.ExecContext(ctx, `UPDATE organisations SET name = ? WHERE id = ?`, name, id)
	if err != nil {
		return fmt.Errorf("rename organisation %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("rename organisation %s: %w", id, ErrNotFound)
	}
	return nil
}
