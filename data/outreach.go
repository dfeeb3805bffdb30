package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mfadesk/contact"
)

// OutreachCustomer is a customer on a lockout list with the ways a
// reminder can reach them: Email only if verified, Phone only if verified
// (empty otherwise), and the postal address a letter goes to (Postcode
// empty when none is on record) with the name on it.
type OutreachCustomer struct {
	ID            int64
	AccountNumber string
	Email         string
	Phone         string
	Lang          string
	Name          string
	Address       contact.Address
}

// OutreachCustomers lists up to limit customers of a lockout list with ids
// above afterID, in id order, with their verified contacts.
func (db *DB) OutreachCustomers(ctx context.Context, list string, afterID int64, limit int) ([]OutreachCustomer, error) {
	where, err := lockoutWhere(list)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.account_number,
		CASE WHEN c.email <> '' AND c.email_status = 'verified' THEN c.email ELSE '' END,
		CASE WHEN c.phone_verified = 1 THEN c.phone ELSE '' END, c.lang, c.name_kanji,
		COALESCE(a.postcode, ''), COALESCE(a.prefecture, ''), COALESCE(a.city, ''), COALESCE(a.building, '')
		FROM customers c LEFT JOIN customer_addresses a ON a.customer_id = c.id`+where, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("outreach list %s: %w", list, err)
	}
	defer rows.Close()
	var out []OutreachCustomer
	for rows.Next() {
		var c OutreachCustomer
		if err := rows.Scan(&c.ID, &c.AccountNumber, &c.Email, &c.Phone, &c.Lang, &c.Name,
			&c.Address.Postcode, &c.Address.Prefecture, &c.Address.City, &c.Address.Building); err != nil {
			return nil, fmt.Errorf("scan outreach customer: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outreach list %s: %w", list, err)
	}
	return out, nil
}

// OutreachRun is one sending of registration reminders to part of a
// lockout list: its customers with ids in (AfterID, LastID].
type OutreachRun struct {
	ID        int64
	Key       string // unique: the list and the JST day
	List      string
	StaffID   int64
	AfterID   int64
	LastID    int64
	Complete  bool // the run reached the end of the list
	Email     int
	SMS       int
	Letters   int // reminder letters queued
	NoAddress int // reachable by neither channel nor post
	At        time.Time
}

// LastOutreachRun is the newest run of list; ErrNotFound if none.
func (db *DB) LastOutreachRun(ctx context.Context, list string) (*OutreachRun, error) {
	var r OutreachRun
	var at int64
	err := db.QueryRowContext(ctx, `SELECT id, run_key, list, staff_id, after_id, last_id, complete, email, sms, letters,
		no_address, created_at FROM outreach_runs WHERE list = ? ORDER BY id DESC LIMIT 1`, list).
		Scan(&r.ID, &r.Key, &r.List, &r.StaffID, &r.AfterID, &r.LastID, &r.Complete, &r.Email, &r.SMS, &r.Letters, &r.NoAddress, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("last outreach run %s: %w", list, err)
	}
	r.At = time.Unix(at, 0).UTC()
	return &r, nil
}

// CreateOutreachRun records r unless a run with its key exists: it reports
// whether r was recorded. In the caller's write transaction, so of two
// parallel runs with one key exactly one is recorded.
func (tx *Tx) CreateOutreachRun(ctx context.Context, r *OutreachRun) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO outreach_runs (run_key, list, staff_id, after_id, last_id, complete,
		email, sms, letters, no_address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_key) DO NOTHING`,
		r.Key, r.List, r.StaffID, r.AfterID, r.LastID, boolInt(r.Complete), r.Email, r.SMS, r.Letters, r.NoAddress, tx.now.Unix())
	if err != nil {
		return false, fmt.Errorf("outreach run %s: %w", r.Key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("outreach run %s: %w", r.Key, err)
	}
	return n == 1, nil
}
