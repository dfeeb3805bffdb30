package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// OutboxMessage is one message to a customer, queued in the transaction of
// the change that caused it.
type OutboxMessage struct {
	ID         int64
	CustomerID int64
	// CaseID is the support case the message was sent for, if any.
	CaseID  int64
	Kind    string
	Channel string
	To      string
	Subject string
	Body    string
	Status  string
	// Attempts is how many delivery attempts were made; for a message
	// returned by ClaimDue, the number of the attempt it was claimed for.
	Attempts int
	// ProviderID is the provider's id for a sent message.
	ProviderID string
	CreatedAt  time.Time
	// CodeExpiresAt is when the one-time code the message carries expires
	// (zero: it carries none). Its body is scrubbed once the code is no
	// more use in clear (scrub.go).
	CodeExpiresAt time.Time
	// Scrubbed: the body was replaced by ScrubbedBody.
	Scrubbed bool
	// NotBefore, when set, holds a queued message back until then, so bulk
	// messages leave at a bounded rate and codes are not kept waiting.
	NotBefore time.Time
}

// QueueMessage adds a message to the outbox.
func (tx *Tx) QueueMessage(ctx context.Context, m *OutboxMessage) (int64, error) {
	id, err := tx.insertID(ctx, `INSERT INTO outbox (customer_id, case_id, kind, channel, recipient, subject, body,
		code_expires_at, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(m.CustomerID), nullID(m.CaseID), m.Kind, m.Channel, m.To, m.Subject, m.Body, unixOrZero(m.CodeExpiresAt),
		unixOrZero(m.NotBefore), tx.now.Unix(), tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("queue message: %w", err)
	}
	return id, nil
}

// RecentMessages lists the newest outbox messages first.
func (db *DB) RecentMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, customer_id, kind, channel, recipient, subject, body,
		status, created_at FROM outbox ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent messages: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var customer sql.NullInt64
		var created int64
		if err := rows.Scan(&m.ID, &customer, &m.Kind, &m.Channel, &m.To, &m.Subject, &m.Body, &m.Status, &created); err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		m.CustomerID, m.CreatedAt = customer.Int64, time.Unix(created, 0)
		out = append(out, m)
	}
	return out, rows.Err()
}
