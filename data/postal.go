package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mfadesk/contact"
)

// Letters with a postal verification code, for the mail house
// (docs/operations.md, "Letters"). The code is sealed by the caller
// (mfa.SecretBox) and scrubbed (code_enc NULL) once printed, or once its
// verification is used, voided or expired.

// Letter kinds: a code letter carries a postal verification's code for
// a case; a reminder announces a coming enforcement phase to a customer
// of a lockout list (docs/operations.md, "Outreach"), with no code and no
// case.
const (
	LetterKindCode     = "code"
	LetterKindReminder = "reminder"
)

// Letter states.
const (
	LetterQueued   = "queued"
	LetterPrinted  = "printed"
	LetterReturned = "returned"
	LetterVoided   = "voided"
	LetterExpired  = "expired"
)

// PostalLetter is one letter: where it goes, its state and its sealed
// code (nil once scrubbed).
type PostalLetter struct {
	ID         int64
	CustomerID int64
	CaseID     int64 // 0 for a reminder
	Kind       string
	Status     string
	CodeEnc    []byte
	Address    contact.Address
	Name       string
	List       string    // reminder: the lockout list
	Phase      time.Time // reminder: the day the list's phase begins
	Lang       string    // reminder: the customer's language
	CreatedAt  time.Time
	ExpiresAt  time.Time
	PrintedAt  time.Time
	ReturnedAt time.Time
}

// CustomerAddress is the customer's postal address; ErrNotFound when
// none is on record.
func (db *DB) CustomerAddress(ctx context.Context, customerID int64) (contact.Address, error) {
	return scanAddress(db.QueryRowContext(ctx, addressSelect, customerID))
}

// CustomerAddress is DB.CustomerAddress in tx.
func (tx *Tx) CustomerAddress(ctx context.Context, customerID int64) (contact.Address, error) {
	return scanAddress(tx.QueryRowContext(ctx, addressSelect, customerID))
}

const addressSelect = `SELECT postcode, prefecture, city, building FROM customer_addresses WHERE customer_id = ?`

func scanAddress(row *sql.Row) (contact.Address, error) {
	var a contact.Address
	err := row.Scan(&a.Postcode, &a.Prefecture, &a.City, &a.Building)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("customer address: %w", err)
	}
	return a, nil
}

// SetCustomerAddress records the customer's postal address, replacing
// the one on record.
func (tx *Tx) SetCustomerAddress(ctx context.Context, customerID int64, a contact.Address) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO customer_addresses (customer_id, postcode, prefecture, city, building, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET postcode = excluded.postcode,
		prefecture = excluded.prefecture, city = excluded.city, building = excluded.building, updated_at = excluded.updated_at`,
		customerID, a.Postcode, a.Prefecture, a.City, a.Building, tx.now.Unix()); err != nil {
		return fmt.Errorf("set customer address: %w", err)
	}
	return nil
}

// QueuePostalLetter adds a letter to the print queue and returns its id
// (a code letter when l.Kind is empty).
func (tx *Tx) QueuePostalLetter(ctx context.Context, l *PostalLetter) (int64, error) {
	kind := l.Kind
	if kind == "" {
		kind = LetterKindCode
	}
	lang := l.Lang
	if lang == "" {
		lang = "ja"
	}
	id, err := tx.insertID(ctx, `INSERT INTO postal_letters (customer_id, case_id, kind, status, code_enc,
		postcode, prefecture, city, building, name, list, phase_at, lang, created_at, expires_at)
		VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.CustomerID, nullID(l.CaseID), kind, l.CodeEnc, l.Address.Postcode, l.Address.Prefecture, l.Address.City,
		l.Address.Building, l.Name, l.List, unixOrZero(l.Phase), lang, tx.now.Unix(), l.ExpiresAt.Unix())
	if err != nil {
		return 0, fmt.Errorf("queue postal letter: %w", err)
	}
	return id, nil
}

const letterSelect = `SELECT id, customer_id, COALESCE(case_id, 0), kind, status, code_enc, postcode, prefecture, city,
	building, name, list, phase_at, lang, created_at, expires_at, printed_at, returned_at FROM postal_letters`

func scanLetters(rows *sql.Rows, err error) ([]PostalLetter, error) {
	if err != nil {
		return nil, fmt.Errorf("postal letters: %w", err)
	}
	defer rows.Close()
	var out []PostalLetter
	for rows.Next() {
		var l PostalLetter
		var phase, created, expires, printed, returned int64
		if err := rows.Scan(&l.ID, &l.CustomerID, &l.CaseID, &l.Kind, &l.Status, &l.CodeEnc, &l.Address.Postcode,
			&l.Address.Prefecture, &l.Address.City, &l.Address.Building, &l.Name, &l.List, &phase, &l.Lang,
			&created, &expires, &printed, &returned); err != nil {
			return nil, fmt.Errorf("scan postal letter: %w", err)
		}
		l.Phase = time.Unix(phase, 0)
		l.CreatedAt, l.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
		l.PrintedAt, l.ReturnedAt = time.Unix(printed, 0), time.Unix(returned, 0)
		out = append(out, l)
	}
	return out, rows.Err()
}

// PostalLetters lists a customer's letters, newest first.
func (db *DB) PostalLetters(ctx context.Context, customerID int64) ([]PostalLetter, error) {
	return scanLetters(db.QueryContext(ctx, letterSelect+` WHERE customer_id = ? ORDER BY id DESC`, customerID))
}

// CaseLetters lists a case's letters, newest first.
func (db *DB) CaseLetters(ctx context.Context, caseID int64) ([]PostalLetter, error) {
	return scanLetters(db.QueryContext(ctx, letterSelect+` WHERE case_id = ? ORDER BY id DESC`, caseID))
}

// LetterQueue lists the newest letters of the print queue, queued first
// (oldest first, the order to print them), then the others newest first.
func (db *DB) LetterQueue(ctx context.Context, limit int) ([]PostalLetter, error) {
	return scanLetters(db.QueryContext(ctx, letterSelect+`
		ORDER BY status = 'queued' DESC, CASE WHEN status = 'queued' THEN id ELSE -id END LIMIT ?`, limit))
}

// QueuedLetters lists the letters waiting to be printed that have not
// expired (a code letter with its code, a reminder before its phase),
// oldest first.
func (db *DB) QueuedLetters(ctx context.Context) ([]PostalLetter, error) {
	return scanLetters(db.QueryContext(ctx, letterSelect+`
		WHERE status = 'queued' AND (code_enc IS NOT NULL OR kind = 'reminder') AND expires_at > ? ORDER BY id`, db.now().Unix()))
}

// PostalLetter finds one letter.
func (db *DB) PostalLetter(ctx context.Context, id int64) (*PostalLetter, error) {
	return oneLetter(db.QueryContext(ctx, letterSelect+` WHERE id = ?`, id))
}

// PostalLetter finds one letter in tx.
func (tx *Tx) PostalLetter(ctx context.Context, id int64) (*PostalLetter, error) {
	return oneLetter(tx.QueryContext(ctx, letterSelect+` WHERE id = ?`, id))
}

func oneLetter(rows *sql.Rows, err error) (*PostalLetter, error) {
	ls, err := scanLetters(rows, err)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, ErrNotFound
	}
	return &ls[0], nil
}

// MarkLetterPrinted moves a queued letter to printed and scrubs its code:
// from now on only the paper holds it. It reports whether this call did.
func (tx *Tx) MarkLetterPrinted(ctx context.Context, id int64) (bool, error) {
	return tx.oneRow(ctx, "mark letter printed", `UPDATE postal_letters SET status = 'printed', code_enc = NULL, printed_at = ?
		WHERE id = ? AND status = 'queued'`, tx.now.Unix(), id)
}

// MarkLetterReturned records a printed letter as returned by the post
// (転送不要: undeliverable) and voids its pending verification, so the
// code on the returned paper is of no use. It reports whether this call
// did.
func (tx *Tx) MarkLetterReturned(ctx context.Context, id int64) (bool, error) {
	won, err := tx.oneRow(ctx, "mark letter returned", `UPDATE postal_letters SET status = 'returned', code_enc = NULL, returned_at = ?
		WHERE id = ? AND status = 'printed'`, tx.now.Unix(), id)
	if err != nil || !won {
		return won, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE verifications SET status = 'voided'
		WHERE letter_id = ? AND status = 'pending'`, id); err != nil {
		return false, fmt.Errorf("void returned letter's verification: %w", err)
	}
	return true, nil
}

func (tx *Tx) oneRow(ctx context.Context, what, query string, args ...any) (bool, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// settleLetters scrubs the code of the letters of the verifications
// matching cond (a condition on verifications written in this package,
// never input) and voids those not printed yet: their code can no longer
// pass, so printing them would only mail a useless secret.
func (tx *Tx) settleLetters(ctx context.Context, cond string, args ...any) error {
	if _, err := tx.ExecContext(ctx, `UPDATE postal_letters SET code_enc = NULL,
		status = CASE status WHEN 'queued' THEN 'voided' ELSE status END
		WHERE code_enc IS NOT NULL AND id IN (SELECT letter_id FROM verifications WHERE letter_id <> 0 AND `+cond+`)`,
		args...); err != nil {
		return fmt.Errorf("settle letters: %w", err)
	}
	return nil
}
