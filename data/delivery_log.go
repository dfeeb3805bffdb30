package data

import (
	"context"
	"fmt"
	"time"
)

// DeliveryLogEntry is one message to a customer as the console's delivery
// log shows it: what kind, where, and how delivery went. Never the body:
// it may carry a code.
type DeliveryLogEntry struct {
	ID        int64
	Kind      string
	Channel   string
	To        string // the caller masks it
	Status    string // queued, sending, sent, retrying, failed
	Attempts  int
	LastError string // the transport's short reason for the latest failed attempt
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DeliveryLog lists the newest messages to a customer with their delivery
// state, from the outbox and its attempt log. A non-zero caseStaffID
// keeps only the messages sent for cases that staff member opened (a
// partner's view); zero lists them all.
func (db *DB) DeliveryLog(ctx context.Context, customerID, caseStaffID int64, limit int) ([]DeliveryLogEntry, error) {
	q, args := `SELECT o.id, o.kind, o.channel, o.recipient, o.status, o.attempts,
		COALESCE((SELECT a.error FROM outbox_attempts a WHERE a.outbox_id = o.id AND a.result <> 'sent'
			ORDER BY a.id DESC LIMIT 1), ''),
		o.created_at, o.updated_at
		FROM outbox o WHERE o.customer_id = ?`, []any{customerID}
	if caseStaffID != 0 {
		q, args = q+` AND o.case_id IN (SELECT k.id FROM cases k WHERE k.customer_id = ? AND k.staff_id = ?)`,
			append(args, customerID, caseStaffID)
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY o.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("delivery log: %w", err)
	}
	defer rows.Close()
	var out []DeliveryLogEntry
	for rows.Next() {
		var e DeliveryLogEntry
		var created, updated int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Channel, &e.To, &e.Status, &e.Attempts, &e.LastError, &created, &updated); err != nil {
			return nil, fmt.Errorf("scan delivery log: %w", err)
		}
		e.CreatedAt, e.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
		out = append(out, e)
	}
	return out, rows.Err()
}
