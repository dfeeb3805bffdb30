package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mfadesk/contact"
)

// Kinds and statuses of four-eyes requests.
const (
	RequestReset   = "reset"
	RequestContact = "contact"
	RequestAddress = "address"

	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
	RequestExpired  = "expired"
)

// ActionRequest is a reset, contact, address or password change waiting
// for, or decided by, a second staff member.
type ActionRequest struct {
	ID             int64
	CaseID         int64
	CustomerID     int64
	CustomerName   string
	Kind           string
	Remove         string          // reset: "totp,sms,passkey" or a part of it
	TempPass       bool            // reset: issue a temporary pass to the requester
	ContactKind    string          // contact: email or phone
	ContactValue   string          // contact: the new value, proven by a code
	Address        contact.Address // address: the new postal address
	RequestedBy    int64
	RequesterLogin string
	Status         string
	DecidedBy      int64
	Reason         string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	DecidedAt      time.Time
	PassIssuedAt   time.Time
}

// StatusAt is the request's status at now: a pending request past its
// expiry is expired, whether or not anyone has marked it yet.
func (r *ActionRequest) StatusAt(now time.Time) string {
	if r.Status == RequestPending && !now.Before(r.ExpiresAt) {
		return RequestExpired
	}
	return r.Status
}

const requestSelect = `SELECT r.id, r.case_id, r.customer_id, c.name_kanji, r.kind, r.remove, r.temp_pass,
	r.contact_kind, r.contact_value, r.requested_by, s.login_id, r.status, COALESCE(r.decided_by, 0), r.reason,
	r.created_at, r.expires_at, r.decided_at, r.pass_issued_at, r.postcode, r.prefecture, r.city, r.building
	FROM action_requests r JOIN customers c ON c.id = r.customer_id JOIN staff s ON s.id = r.requested_by`

// scanRequest reads requestSelect's columns, then any extra ones a
// longer select adds after them.
func scanRequest(row interface{ Scan(...any) error }, extra ...any) (*ActionRequest, error) {
	var r ActionRequest
	var created, expires, decided, issued int64
	err := row.Scan(append([]any{&r.ID, &r.CaseID, &r.CustomerID, &r.CustomerName, &r.Kind, &r.Remove, &r.TempPass,
		&r.ContactKind, &r.ContactValue, &r.RequestedBy, &r.RequesterLogin, &r.Status, &r.DecidedBy, &r.Reason,
		&created, &expires, &decided, &issued, &r.Address.Postcode, &r.Address.Prefecture, &r.Address.City,
		&r.Address.Building}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan request: %w", err)
	}
	r.CreatedAt, r.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	r.DecidedAt, r.PassIssuedAt = time.Unix(decided, 0), time.Unix(issued, 0)
	return &r, nil
}

func scanRequests(rows *sql.Rows) ([]ActionRequest, error) {
	defer rows.Close()
	var out []ActionRequest
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// CreateRequest stores a pending request and returns its id.
func (tx *Tx) CreateRequest(ctx context.Context, r *ActionRequest) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO action_requests (case_id, customer_id, kind, remove, temp_pass,
		contact_kind, contact_value, requested_by, status, created_at, expires_at, postcode, prefecture, city, building)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`,
		r.CaseID, r.CustomerID, r.Kind, r.Remove, boolInt(r.TempPass), r.ContactKind, r.ContactValue,
		r.RequestedBy, tx.now.Unix(), r.ExpiresAt.Unix(), r.Address.Postcode, r.Address.Prefecture, r.Address.City,
		r.Address.Building)
	if err != nil {
		return 0, fmt.Errorf("create request: %w", err)
	}
	return id, nil
}

// RequestByID reads a request inside the transaction that decides it.
func (tx *Tx) RequestByID(ctx context.Context, id int64) (*ActionRequest, error) {
	r, err := scanRequest(tx.QueryRowContext(ctx, requestSelect+` WHERE r.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// RequestByID finds a request.
func (db *DB) RequestByID(ctx context.Context, id int64) (*ActionRequest, error) {
	r, err := scanRequest(db.QueryRowContext(ctx, requestSelect+` WHERE r.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// DecideRequest settles a pending request as approved, rejected or
// expired, if nobody settled it first; a second decision is a conflict,
// so two supervisors clicking at once cannot both run the action.
func (tx *Tx) DecideRequest(ctx context.Context, id int64, status string, decidedBy int64, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE action_requests SET status = ?, decided_by = ?, reason = ?, decided_at = ?
		WHERE id = ? AND status = 'pending'`, status, nullID(decidedBy), reason, tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("decide request %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("decide request %d: %w", id, ErrConflict)
	}
	return nil
}

// MarkRequestPassIssued records that an approved reset's temporary pass
// was issued; it happens once.
func (tx *Tx) MarkRequestPassIssued(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE action_requests SET pass_issued_at = ?
		WHERE id = ? AND status = 'approved' AND temp_pass = 1 AND pass_issued_at = 0`, tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("mark pass issued %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("mark pass issued %d: %w", id, ErrConflict)
	}
	return nil
}

// PendingRequests lists requests still waiting at now, oldest first: the
// supervisors' queue.
func (db *DB) PendingRequests(ctx context.Context, now time.Time, limit int) ([]ActionRequest, error) {
	rows, err := db.QueryContext(ctx, requestSelect+` WHERE r.status = 'pending' AND r.expires_at > ?
		ORDER BY r.id LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("pending requests: %w", err)
	}
	return scanRequests(rows)
}

// CaseRequests lists a case's requests, newest first.
func (db *DB) CaseRequests(ctx context.Context, caseID int64) ([]ActionRequest, error) {
	rows, err := db.QueryContext(ctx, requestSelect+` WHERE r.case_id = ? ORDER BY r.id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case requests: %w", err)
	}
	return scanRequests(rows)
}
