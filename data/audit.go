package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
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
	PrevHash   string
	Hash       string
}

// genesisHash is the previous hash of the first event.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Audit appends an event, chaining it to the newest one. It runs inside
// the caller's write transaction, so events are totally ordered.
func (tx *Tx) Audit(ctx context.Context, e AuditEvent) error {
	prev := genesisHash
	err := tx.tx.QueryRowContext(ctx, `SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: last hash: %w", err)
	}
	e.At, e.PrevHash = tx.now.UTC(), prev
	e.Hash = e.chainHash()
	var customer any
	if e.CustomerID != 0 {
		customer = e.CustomerID
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor_kind, actor, customer_id, action, outcome,
		client_ip, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.Unix(), e.ActorKind, e.Actor, customer, e.Action, e.Outcome, e.ClientIP, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// chainHash is SHA-256 over the previous hash and every field, each
// length-prefixed so no two different events can encode the same.
func (e AuditEvent) chainHash() string {
	var b strings.Builder
	for _, f := range []string{e.PrevHash, strconv.FormatInt(e.At.Unix(), 10), e.ActorKind, e.Actor,
		strconv.FormatInt(e.CustomerID, 10), e.Action, e.Outcome, e.ClientIP, e.Detail} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// AuditEventsFor lists a customer's events, newest first.
func (db *DB) AuditEventsFor(ctx context.Context, customerID int64, limit int) ([]AuditEvent, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, at, actor_kind, actor, COALESCE(customer_id, 0), action, outcome,
		client_ip, detail, prev_hash, hash FROM audit_events WHERE customer_id = ? ORDER BY id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorKind, &e.Actor, &e.CustomerID, &e.Action, &e.Outcome,
			&e.ClientIP, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
