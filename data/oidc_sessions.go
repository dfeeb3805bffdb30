package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OIDCSessionOf returns the sid of the customer session sessionHash,
// giving it newSID if it had none; the session is recorded as having
// signed clientID in, so its end reaches that client.
func (tx *Tx) OIDCSessionOf(ctx context.Context, sessionHash string, customerID int64, newSID, clientID string) (string, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_sessions (sid, session_hash, customer_id, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (session_hash) DO NOTHING`, newSID, sessionHash, customerID, tx.now.Unix()); err != nil {
		return "", fmt.Errorf("oidc session: %w", err)
	}
	var sid string
	var owner int64
	if err := tx.QueryRowContext(ctx, `SELECT sid, customer_id FROM oidc_sessions WHERE session_hash = ?`, sessionHash).
		Scan(&sid, &owner); err != nil {
		return "", fmt.Errorf("oidc session: %w", err)
	}
	if owner != customerID {
		return "", fmt.Errorf("oidc session of another customer: %w", ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_session_clients (sid, client_id) VALUES (?, ?)
		ON CONFLICT (sid, client_id) DO NOTHING`, sid, clientID); err != nil {
		return "", fmt.Errorf("oidc session client: %w", err)
	}
	return sid, nil
}

// moveOIDCSession carries a session's sid over to its new id when the
// session rotates (same customer), before the old row is deleted, so a
// rotation is not an end (migration 0035's trigger).
func (tx *Tx) moveOIDCSession(ctx context.Context, oldHash string, s *Session) error {
	if oldHash == "" || s.CustomerID == 0 || s.Site != SiteCustomer {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE oidc_sessions SET session_hash = ? WHERE session_hash = ? AND customer_id = ?`,
		s.IDHash, oldHash, s.CustomerID); err != nil {
		return fmt.Errorf("move oidc session: %w", err)
	}
	return nil
}

// OIDCSessionState is the mfadesk session behind a sid, for the limits
// its owner checks (idle and absolute).
type OIDCSessionState struct {
	SID         string
	SessionHash string
	CustomerID  int64
	CreatedAt   time.Time
	LastSeenAt  time.Time
}

// OIDCSession returns the session behind sid; ErrNotFound once it ended.
func (db *DB) OIDCSession(ctx context.Context, sid string) (*OIDCSessionState, error) {
	var s OIDCSessionState
	var created, seen int64
	err := db.QueryRowContext(ctx, `SELECT o.sid, o.session_hash, o.customer_id, s.created_at, s.last_seen_at
		FROM oidc_sessions o JOIN sessions s ON s.id_hash = o.session_hash WHERE o.sid = ?`, sid).
		Scan(&s.SID, &s.SessionHash, &s.CustomerID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("oidc session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("oidc session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt = time.Unix(created, 0), time.Unix(seen, 0)
	return &s, nil
}

// OIDCSubject returns the customer's subject identifier towards relying
// parties, storing newSub if they had none: stable, and neither the login
// ID nor the account number.
func (tx *Tx) OIDCSubject(ctx context.Context, customerID int64, newSub string) (string, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_subjects (customer_id, sub) VALUES (?, ?)
		ON CONFLICT (customer_id) DO NOTHING`, customerID, newSub); err != nil {
		return "", fmt.Errorf("oidc subject: %w", err)
	}
	var sub string
	if err := tx.QueryRowContext(ctx, `SELECT sub FROM oidc_subjects WHERE customer_id = ?`, customerID).Scan(&sub); err != nil {
		return "", fmt.Errorf("oidc subject: %w", err)
	}
	return sub, nil
}

// CustomerIDOfOIDCSubject is the customer behind sub; ErrNotFound if none.
func (db *DB) CustomerIDOfOIDCSubject(ctx context.Context, sub string) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT customer_id FROM oidc_subjects WHERE sub = ?`, sub).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("oidc subject: %w", ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("oidc subject: %w", err)
	}
	return id, nil
}

// OIDCSubjectOf is the customer's subject; ErrNotFound if none was made.
func (db *DB) OIDCSubjectOf(ctx context.Context, customerID int64) (string, error) {
	var sub string
	err := db.QueryRowContext(ctx, `SELECT sub FROM oidc_subjects WHERE customer_id = ?`, customerID).Scan(&sub)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("oidc subject of %d: %w", customerID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("oidc subject of %d: %w", customerID, err)
	}
	return sub, nil
}
