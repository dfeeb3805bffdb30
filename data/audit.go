package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AuditEvent is one entry of the append-only, hash-chained audit trail.
// Detail must already be masked: no password, code, secret or token.
type AuditEvent struct {
	ID         int64
	At         time.Time
	ActorKind  string // customer, staff, system
	Actor      string
	CustomerID int64
	Action     string
	Outcome    string
	ClientIP   string
	Detail     string
	// Console events: the staff member, their role and organisation at the
	// time, and the case the action hangs off.
	StaffID   int64
	StaffRole string
	StaffOrg  string
	CaseID    int64
	PrevHash  string
	Hash      string
	// KeyID names the audit key Hash is an HMAC under; empty for events
	// written before the chain was keyed, whose Hash is plain SHA-256.
	KeyID string
}

// genesisHash is the previous hash of the first event.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Audit appends an event, chaining it to the newest one with an
// HMAC under the database's audit key. It runs inside the caller's write
// transaction, so events are totally ordered.
func (tx *Tx) Audit(ctx context.Context, e AuditEvent) error {
	if tx.auditKey == nil {
		return fmt.Errorf("audit %s: no audit key set", e.Action)
	}
	prev := genesisHash
	err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: last hash: %w", err)
	}
	e.At, e.PrevHash, e.KeyID = tx.now.UTC(), prev, tx.auditKey.ID
	e.Hash = e.keyedHash(tx.auditKey)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor_kind, actor, customer_id, action, outcome,
		client_ip, detail, staff_id, staff_role, staff_org, case_id, prev_hash, hash, key_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.Unix(), e.ActorKind, e.Actor, nullID(e.CustomerID), e.Action, e.Outcome, e.ClientIP, e.Detail,
		nullID(e.StaffID), e.StaffRole, e.StaffOrg, nullID(e.CaseID), e.PrevHash, e.Hash, e.KeyID)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditEventsFor lists a customer's events, newest first.
func (db *DB) AuditEventsFor(ctx context.Context, customerID int64, limit int) ([]AuditEvent, error) {
	rows, err := db.QueryContext(ctx, auditSelect+` WHERE customer_id = ? ORDER BY id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return scanAuditEvents(rows)
}

const auditColumns = `id, at, actor_kind, actor, COALESCE(customer_id, 0), action, outcome, client_ip, detail,
	COALESCE(staff_id, 0), staff_role, staff_org, COALESCE(case_id, 0), prev_hash, hash, key_id`

const auditSelect = `SELECT ` + auditColumns + ` FROM audit_events`

// scanAuditEvent reads auditColumns, then any further columns into extra.
func scanAuditEvent(row interface{ Scan(...any) error }, extra ...any) (AuditEvent, error) {
	var e AuditEvent
	var at int64
	err := row.Scan(append([]any{&e.ID, &at, &e.ActorKind, &e.Actor, &e.CustomerID, &e.Action, &e.Outcome, &e.ClientIP, &e.Detail,
		&e.StaffID, &e.StaffRole, &e.StaffOrg, &e.CaseID, &e.PrevHash, &e.Hash, &e.KeyID}, extra...)...)
	if err != nil {
		return AuditEvent{}, fmt.Errorf("scan audit event: %w", err)
	}
	e.At = time.Unix(at, 0).UTC()
	return e, nil
}

func scanAuditEvents(rows *sql.Rows) ([]AuditEvent, error) {
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditFilter selects events for the auditors' view; zero fields do not
// filter. Pages go backwards from BeforeID (0: from the newest).
type AuditFilter struct {
	StaffID    int64
	CustomerID int64
	// StaffLogin is a staff member's login ID; Customer is a customer's
	// account number or login ID, both as stored (normalised). Neither
	// says whether it names anyone: an unknown one matches no event.
	StaffLogin string
	Customer   string
	CaseID     int64
	Action     string
	From, To   time.Time
	BeforeID   int64
	Limit      int
}

// where is f as a WHERE clause (empty when f selects everything) and its
// arguments.
func (f AuditFilter) where() (string, []any) {
	var where []string
	var args []any
	add := func(clause string, arg ...any) {
		where = append(where, clause)
		args = append(args, arg...)
	}
	if f.StaffID != 0 {
		add("staff_id = ?", f.StaffID)
	}
	if f.CustomerID != 0 {
		add("customer_id = ?", f.CustomerID)
	}
	if f.StaffLogin != "" {
		add("staff_id IN (SELECT s.id FROM staff s WHERE s.login_id = ?)", f.StaffLogin)
	}
	if f.Customer != "" {
		add("customer_id IN (SELECT c.id FROM customers c WHERE c.account_number = ? OR c.login_id = ?)", f.Customer, f.Customer)
	}
	if f.CaseID != 0 {
		add("case_id = ?", f.CaseID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.Unix())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.Unix())
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// AuditEvents lists the events matching f, newest first.
func (db *DB) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	where, args := f.where()
	rows, err := db.QueryContext(ctx, auditSelect+where+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return scanAuditEvents(rows)
}

// ListedAuditEvent is an event as the auditors read it: with the
// customer's account number, which is not part of the event's hash.
type ListedAuditEvent struct {
	AuditEvent
	AccountNumber string
}

// AuditEventsListed is AuditEvents with each event's account number.
func (db *DB) AuditEventsListed(ctx context.Context, f AuditFilter) ([]ListedAuditEvent, error) {
	where, args := f.where()
	rows, err := db.QueryContext(ctx, `SELECT `+auditColumns+`,
		COALESCE((SELECT c.account_number FROM customers c WHERE c.id = audit_events.customer_id), '')
		FROM audit_events`+where+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []ListedAuditEvent
	for rows.Next() {
		var e ListedAuditEvent
		var err error
		if e.AuditEvent, err = scanAuditEvent(rows, &e.AccountNumber); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
