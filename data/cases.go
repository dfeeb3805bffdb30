package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Case is a support case (受付) about one customer.
type Case struct {
	ID           int64
	CustomerID   int64
	CustomerName string
	OrgID        string
	StaffID      int64
	StaffLogin   string
	Channel      string
	Reason       string
	Status       string
	OpenedAt     time.Time
	ClosedAt     time.Time
}

// CaseNote is a staff member's note on a case.
type CaseNote struct {
	ID         int64
	StaffLogin string
	Body       string
	CreatedAt  time.Time
}

const caseSelect = `SELECT k.id, k.customer_id, c.name_kanji, k.org_id, k.staff_id, s.login_id, k.channel, k.reason,
	k.status, k.opened_at, k.closed_at
	FROM cases k JOIN customers c ON c.id = k.customer_id JOIN staff s ON s.id = k.staff_id`

func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	var k Case
	var opened, closed int64
	err := row.Scan(&k.ID, &k.CustomerID, &k.CustomerName, &k.OrgID, &k.StaffID, &k.StaffLogin, &k.Channel, &k.Reason,
		&k.Status, &opened, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan case: %w", err)
	}
	k.OpenedAt, k.ClosedAt = time.Unix(opened, 0), time.Unix(closed, 0)
	return &k, nil
}

// OpenCase inserts an open case and returns its id.
func (tx *Tx) OpenCase(ctx context.Context, k *Case) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO cases (customer_id, org_id, staff_id, channel, reason, status, opened_at)
		VALUES (?, ?, ?, ?, ?, 'open', ?)`, k.CustomerID, k.OrgID, k.StaffID, k.Channel, k.Reason, tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("open case: %w", err)
	}
	return id, nil
}

// CaseByID finds a case.
func (db *DB) CaseByID(ctx context.Context, id int64) (*Case, error) {
	k, err := scanCase(db.QueryRowContext(ctx, caseSelect+` WHERE k.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("case %d: %w", id, err)
	}
	return k, nil
}

// CaseByID reads a case inside the transaction.
func (tx *Tx) CaseByID(ctx context.Context, id int64) (*Case, error) {
	k, err := scanCase(tx.QueryRowContext(ctx, caseSelect+` WHERE k.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("case %d: %w", id, err)
	}
	return k, nil
}

// CaseScope says whose cases a list shows: one staff member's, one
// organisation's, or (both zero) everyone's.
type CaseScope struct {
	StaffID int64
	OrgID   string
}

// OpenCases lists open cases in scope, newest first.
func (db *DB) OpenCases(ctx context.Context, scope CaseScope, limit int) ([]Case, error) {
	q, args := caseSelect+` WHERE k.status = 'open'`, []any{}
	if scope.StaffID != 0 {
		q, args = q+` AND k.staff_id = ?`, append(args, scope.StaffID)
	}
	if scope.OrgID != "" {
		q, args = q+` AND k.org_id = ?`, append(args, scope.OrgID)
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY k.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		k, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

// AddCaseNote adds a note to a case.
func (tx *Tx) AddCaseNote(ctx context.Context, caseID, staffID int64, body string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_notes (case_id, staff_id, body, created_at) VALUES (?, ?, ?, ?)`,
		caseID, staffID, body, tx.now.Unix()); err != nil {
		return fmt.Errorf("add case note: %w", err)
	}
	return nil
}

// CaseNotes lists a case's notes, oldest first.
func (db *DB) CaseNotes(ctx context.Context, caseID int64) ([]CaseNote, error) {
	rows, err := db.QueryContext(ctx, `SELECT n.id, s.login_id, n.body, n.created_at FROM case_notes n
		JOIN staff s ON s.id = n.staff_id WHERE n.case_id = ? ORDER BY n.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case notes: %w", err)
	}
	defer rows.Close()
	var out []CaseNote
	for rows.Next() {
		var n CaseNote
		var created int64
		if err := rows.Scan(&n.ID, &n.StaffLogin, &n.Body, &created); err != nil {
			return nil, fmt.Errorf("scan case note: %w", err)
		}
		n.CreatedAt = time.Unix(created, 0)
		out = append(out, n)
	}
	return out, rows.Err()
}

// CloseCase closes an open case; closing a closed one is a conflict.
func (tx *Tx) CloseCase(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`,
		tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("close case %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("close case %d: %w", id, ErrConflict)
	}
	// A closed case's postal code can no longer pass: its letter's code goes.
	return tx.settleLetters(ctx, `case_id = ? AND status = 'pending'`, id)
}
