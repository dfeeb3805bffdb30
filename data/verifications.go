package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Verification methods and strengths (docs/design.md §3).
const (
	VerifyKnowledge  = "knowledge"
	VerifyPossession = "possession"
	VerifySpoken     = "spoken"
	VerifyDocument   = "document"
	VerifyPostal     = "postal"

	StrengthWeak   = "weak"
	StrengthStrong = "strong"

	VerificationPending = "pending"
	VerificationPassed  = "passed"
	VerificationFailed  = "failed"
)

// Verification is one identity check on a case. Detail is masked.
type Verification struct {
	ID         int64
	CaseID     int64
	CustomerID int64
	StaffID    int64
	Method     string
	Strength   string
	Status     string
	Detail     string
	CodeHash   string
	// LinkHash is the SHA-256 of a possession link's token.
	LinkHash   string
	Attempts   int
	CreatedAt  time.Time
	ExpiresAt  time.Time
	PassedAt   time.Time
	ValidUntil time.Time
	// OutboxID is the message that carries a possession code; it is
	// scrubbed when the code is settled or voided (scrub.go).
	OutboxID int64
	// LetterID is the letter that carries a postal code; its sealed code
	// is scrubbed when the code is settled or voided (postal.go).
	LetterID int64
}

const verificationSelect = `SELECT id, case_id, customer_id, staff_id, method, strength, status, detail, code_hash,
	attempts, created_at, expires_at, passed_at, valid_until FROM verifications`

func scanVerification(row interface{ Scan(...any) error }) (*Verification, error) {
	var v Verification
	var created, expires, passed, valid int64
	err := row.Scan(&v.ID, &v.CaseID, &v.CustomerID, &v.StaffID, &v.Method, &v.Strength, &v.Status, &v.Detail,
		&v.CodeHash, &v.Attempts, &created, &expires, &passed, &valid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan verification: %w", err)
	}
	v.CreatedAt, v.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	v.PassedAt, v.ValidUntil = time.Unix(passed, 0), time.Unix(valid, 0)
	return &v, nil
}

// CreateVerification records a verification. A new pending code voids the
// case's earlier pending one of the same method, so a resend makes the old
// code useless.
func (tx *Tx) CreateVerification(ctx context.Context, v *Verification) (int64, error) {
	if v.Status == VerificationPending {
		if err := tx.scrubCodeMessages(ctx, `id IN (SELECT outbox_id FROM verifications
			WHERE case_id = ? AND method = ? AND status = 'pending')`, v.CaseID, v.Method); err != nil {
			return 0, err
		}
		if err := tx.settleLetters(ctx, `case_id = ? AND method = ? AND status = 'pending'`, v.CaseID, v.Method); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE verifications SET status = 'voided'
			WHERE case_id = ? AND method = ? AND status = 'pending'`, v.CaseID, v.Method); err != nil {
			return 0, fmt.Errorf("void old verifications: %w", err)
		}
	}
	id, err := tx.insertID(ctx, `INSERT INTO verifications (case_id, customer_id, staff_id, method, strength, status,
		detail, code_hash, link_hash, created_at, expires_at, passed_at, valid_until, outbox_id, letter_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.CaseID, v.CustomerID, v.StaffID, v.Method, v.Strength, v.Status, v.Detail, v.CodeHash, v.LinkHash, tx.now.Unix(),
		unixOrZero(v.ExpiresAt), unixOrZero(v.PassedAt), unixOrZero(v.ValidUntil), v.OutboxID, v.LetterID)
	if err != nil {
		return 0, fmt.Errorf("create verification: %w", err)
	}
	return id, nil
}

// PendingVerification returns the case's open code of a method.
func (tx *Tx) PendingVerification(ctx context.Context, caseID int64, method string) (*Verification, error) {
	v, err := scanVerification(tx.QueryRowContext(ctx, verificationSelect+`
		WHERE case_id = ? AND method = ? AND status = 'pending' ORDER BY id DESC LIMIT 1`, caseID, method))
	if err != nil {
		return nil, fmt.Errorf("pending %s verification: %w", method, err)
	}
	return v, nil
}

// PendingLink returns the pending possession link whose token hashes to
// tokenHash.
func (tx *Tx) PendingLink(ctx context.Context, tokenHash string) (*Verification, error) {
	v, err := scanVerification(tx.QueryRowContext(ctx, verificationSelect+`
		WHERE link_hash = ? AND link_hash <> '' AND status = 'pending'`, tokenHash))
	if err != nil {
		return nil, fmt.Errorf("pending link: %w", err)
	}
	return v, nil
}

// DenyVerification settles a pending verification as failed because the
// customer said they did not ask for it; the detail records the answer.
func (tx *Tx) DenyVerification(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE verifications SET status = 'failed', detail = detail || ' answer=no'
		WHERE id = ? AND status = 'pending'`, id)
	if err != nil {
		return false, fmt.Errorf("deny verification: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	if err := tx.settleLetters(ctx, `id = ?`, id); err != nil {
		return false, err
	}
	return true, tx.scrubCodeMessages(ctx, `id = (SELECT outbox_id FROM verifications WHERE id = ?)`, id)
}

// CountVerificationAttempt adds a wrong try to a pending code.
func (tx *Tx) CountVerificationAttempt(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE verifications SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("count verification attempt: %w", err)
	}
	return nil
}

// FinishVerification settles a pending code as passed (valid until
// validUntil) or failed, if nobody settled it first, and reports whether
// this call did. The code's message is scrubbed with it.
func (tx *Tx) FinishVerification(ctx context.Context, id int64, passed bool, validUntil time.Time) (bool, error) {
	status, passedAt := VerificationFailed, int64(0)
	if passed {
		status, passedAt = VerificationPassed, tx.now.Unix()
	}
	res, err := tx.ExecContext(ctx, `UPDATE verifications SET status = ?, passed_at = ?, valid_until = ?
		WHERE id = ? AND status = 'pending'`, status, passedAt, unixOrZero(validUntil), id)
	if err != nil {
		return false, fmt.Errorf("finish verification: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	if err := tx.settleLetters(ctx, `id = ?`, id); err != nil {
		return false, err
	}
	return true, tx.scrubCodeMessages(ctx, `id = (SELECT outbox_id FROM verifications WHERE id = ?)`, id)
}

// Verifications lists a case's verifications, newest first.
func (db *DB) Verifications(ctx context.Context, caseID int64) ([]Verification, error) {
	rows, err := db.QueryContext(ctx, verificationSelect+` WHERE case_id = ? ORDER BY id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	defer rows.Close()
	var out []Verification
	for rows.Next() {
		v, err := scanVerification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// PendingPostalVerification returns the customer's newest pending code by
// post on a case that is still open, for the page where the customer
// types the letter's code themselves.
func (tx *Tx) PendingPostalVerification(ctx context.Context, customerID int64) (*Verification, error) {
	v, err := scanVerification(tx.QueryRowContext(ctx, verificationSelect+`
		WHERE customer_id = ? AND method = 'postal' AND status = 'pending'
			AND case_id IN (SELECT id FROM cases WHERE status = 'open')
		ORDER BY id DESC LIMIT 1`, customerID))
	if err != nil {
		return nil, fmt.Errorf("pending postal verification: %w", err)
	}
	return v, nil
}
