package data

import (
	"context"
	"fmt"
	"time"
)

// Adoption categories, strongest first. Each customer is in exactly one:
// the strongest second factor they can log in with (a passkey, the app,
// SMS), else email codes if their address is valid, else none at all.
// Only factors ticked for login count, and no cloned passkey, as at login
// (mfa.PlanLogin).
const (
	AdoptionPasskey = "passkey"
	AdoptionApp     = "app"
	AdoptionSMS     = "sms"
	AdoptionEmail   = "email"
	AdoptionNoEmail = "no_email"
)

// AdoptionCategories lists the categories, strongest first.
func AdoptionCategories() []string {
	return []string{AdoptionPasskey, AdoptionApp, AdoptionSMS, AdoptionEmail, AdoptionNoEmail}
}

// RecordAdoptionSnapshot counts today's adoption and stores it as the
// snapshot of day (YYYY-MM-DD), replacing an earlier count of the same
// day. The count runs outside the write transaction: on a million
// customers it takes seconds, and writers must not wait for it.
func (db *DB) RecordAdoptionSnapshot(ctx context.Context, day string) (map[string]int, error) {
	counts, err := db.AdoptionCounts(ctx)
	if err != nil {
		return nil, err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		for _, cat := range AdoptionCategories() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO adoption_snapshots (day, category, customers) VALUES (?, ?, ?)
				ON CONFLICT (day, category) DO UPDATE SET customers = excluded.customers`, day, cat, counts[cat]); err != nil {
				return fmt.Errorf("adoption snapshot %s %s: %w", day, cat, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// AdoptionSnapshot is one day's counts.
type AdoptionSnapshot struct {
	Day    string         // YYYY-MM-DD
	Counts map[string]int // by category
}

// AdoptionSnapshots lists the snapshots of the days from..to (inclusive,
// YYYY-MM-DD), oldest first.
func (db *DB) AdoptionSnapshots(ctx context.Context, from, to string) ([]AdoptionSnapshot, error) {
	rows, err := db.QueryContext(ctx, `SELECT day, category, customers FROM adoption_snapshots
		WHERE day >= ? AND day <= ? ORDER BY day, category`, from, to)
	if err != nil {
		return nil, fmt.Errorf("adoption snapshots: %w", err)
	}
	defer rows.Close()
	var out []AdoptionSnapshot
	for rows.Next() {
		var day, cat string
		var n int
		if err := rows.Scan(&day, &cat, &n); err != nil {
			return nil, fmt.Errorf("scan adoption snapshot: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Day != day {
			out = append(out, AdoptionSnapshot{Day: day, Counts: map[string]int{}})
		}
		out[len(out)-1].Counts[cat] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("adoption snapshots: %w", err)
	}
	return out, nil
}

// ActionCount is how many times staff of one organisation did one support
// action with one result in a period.
type ActionCount struct {
	OrgID   string
	OrgName string
	Action  string
	// Result is the event's outcome ("success", "requested", "queued"),
	// with every refusal counted as "refused".
	Result string
	Count  int
}

// SupportActionCounts counts the support actions in the audit trail from
// from (inclusive) to to (exclusive), by organisation, action and result:
// resets, temporary passes, contact changes, unlocks and four-eyes
// decisions, the action names mfa writes. A contact change carried out is
// "contact.change" (mfa writes it for the customer's own changes too, which
// have no organisation); "support.contact_change" is only its request or
// refusal.
func (db *DB) SupportActionCounts(ctx context.Context, from, to time.Time) ([]ActionCount, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.staff_org, COALESCE(o.name, a.staff_org), a.action,
		CASE WHEN a.outcome LIKE 'refused%' THEN 'refused' ELSE a.outcome END AS result, COUNT(*)
		FROM audit_events a LEFT JOIN organisations o ON o.id = a.staff_org
		WHERE a.at >= ? AND a.at < ? AND a.staff_org <> ''
			AND a.action IN ('support.reset', 'temp_pass.issue', 'support.contact_change', 'contact.change', 'support.unlock',
				'request.approve', 'request.reject')
		GROUP BY a.staff_org, o.name, a.action, result
		ORDER BY a.staff_org, a.action, result`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("support action counts: %w", err)
	}
	defer rows.Close()
	var out []ActionCount
	for rows.Next() {
		var a ActionCount
		if err := rows.Scan(&a.OrgID, &a.OrgName, &a.Action, &a.Result, &a.Count); err != nil {
			return nil, fmt.Errorf("scan support action count: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("support action counts: %w", err)
	}
	return out, nil
}

// Lockout lists: who a coming enforcement phase shuts out.
const (
	// LockoutNoEmail: no valid email address and no app, SMS or passkey
	// for login, so no way to log in from email_required_from.
	LockoutNoEmail = "no_email"
	// LockoutNoPasskey: no passkey for login, so from
	// interim_methods_until no other method logs them in.
	LockoutNoPasskey = "no_passkey"
)

// LockoutCustomer is one customer on a lockout list. Email and Phone are
// the stored values: callers mask them before showing or exporting.
type LockoutCustomer struct {
	CustomerMatch
	Category string // adoption category
}

// lockoutSelect reads one listed customer with their adoption category,
// the same rules as adoptionCounts, looked up per row of one page.
const lockoutSelect = `SELECT c.id, c.account_number, c.name_kanji, c.name_kana, c.email, c.phone, CASE
		WHEN EXISTS (SELECT 1 FROM passkeys p WHERE p.customer_id = c.id AND p.use_login = 1 AND p.cloned = 0) THEN 'passkey'
		WHEN EXISTS (SELECT 1 FROM factors f WHERE f.customer_id = c.id AND f.use_login = 1 AND f.confirmed_at > 0 AND f.kind = 'totp') THEN 'app'
		WHEN EXISTS (SELECT 1 FROM factors f WHERE f.customer_id = c.id AND f.use_login = 1 AND f.confirmed_at > 0 AND f.kind = 'sms') THEN 'sms'
		WHEN c.email <> '' AND c.email_status = 'verified' THEN 'email'
		ELSE 'no_email' END
	FROM customers c`

// lockoutQuery is the query of a list. The no-email list's first term
// is the partial index's condition (0008_reports.sql), so a page reads only
// customers without a valid address.
func lockoutQuery(list string) (string, error) {
	where, err := lockoutWhere(list)
	return lockoutSelect + where, err
}

// lockoutWhere is the WHERE clause of a list, with its order and limit;
// its arguments are the id to start after and the limit.
func lockoutWhere(list string) (string, error) {
	switch list {
	case LockoutNoEmail:
		return ` WHERE (c.email = '' OR c.email_status <> 'verified') AND c.id > ?
			AND NOT EXISTS (SELECT 1 FROM factors f WHERE f.customer_id = c.id AND f.use_login = 1 AND f.confirmed_at > 0)
			AND NOT EXISTS (SELECT 1 FROM passkeys p WHERE p.customer_id = c.id AND p.use_login = 1 AND p.cloned = 0)
			ORDER BY c.id LIMIT ?`, nil
	case LockoutNoPasskey:
		return ` WHERE c.id > ?
			AND NOT EXISTS (SELECT 1 FROM passkeys p WHERE p.customer_id = c.id AND p.use_login = 1 AND p.cloned = 0)
			ORDER BY c.id LIMIT ?`, nil
	}
	return "", fmt.Errorf("lockout list %q: %w", list, ErrNotFound)
}

// LockoutCustomers lists up to limit customers of a lockout list with ids
// above afterID, in id order: pages follow on from the last id shown.
func (db *DB) LockoutCustomers(ctx context.Context, list string, afterID int64, limit int) ([]LockoutCustomer, error) {
	q, err := lockoutQuery(list)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("lockout list %s: %w", list, err)
	}
	defer rows.Close()
	var out []LockoutCustomer
	for rows.Next() {
		var c LockoutCustomer
		if err := rows.Scan(&c.ID, &c.AccountNumber, &c.NameKanji, &c.NameKana, &c.Email, &c.Phone, &c.Category); err != nil {
			return nil, fmt.Errorf("scan lockout customer: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lockout list %s: %w", list, err)
	}
	return out, nil
}
