package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session levels.
const (
	LevelAnonymous = "anonymous"
	LevelPassword  = "password"
	LevelFull      = "full"
)

// Sites a session can belong to.
const (
	SiteCustomer = "customer"
	SiteConsole  = "console"
)

// Session is a server-side session; IDHash is the SHA-256 of the cookie token.
type Session struct {
	IDHash         string
	Site           string // SiteCustomer or SiteConsole
	CustomerID     int64
	StaffID        int64
	Level          string
	CSRFToken      string
	Method         string
	SecondFactorAt time.Time
	StepUpPurpose  string
	ClientIP       string
	UserAgent      string
	CreatedAt      time.Time
	LastSeenAt     time.Time
}

// SessionByHash loads a session. A customer's or staff member's session
// comes from the read cache when nothing of its owner changed since it
// was read.
func (db *DB) SessionByHash(ctx context.Context, idHash string) (*Session, error) {
	if s, ok := lookup(db.cache, &db.cache.sessions, idHash); ok {
		return &s, nil
	}
	s, err := db.sessionByHash(ctx, idHash)
	if err != nil {
		return nil, err
	}
	owner, ok := s.ownerStripe()
	if !ok {
		return s, nil
	}
	// The owner is known only now: read again under a snapshot of the
	// owner's stripe, so a change in between cannot be cached.
	snap := db.cache.snapshot(owner)
	if s, err = db.sessionByHash(ctx, idHash); err != nil {
		return nil, err
	}
	if again, ok := s.ownerStripe(); ok && again == owner {
		store(db.cache, &db.cache.sessions, idHash, *s, snap)
	}
	return s, nil
}

// ownerStripe is the read cache's stripe of the session's customer or
// staff member; an anonymous session has none and is never cached.
func (s *Session) ownerStripe() (int, bool) {
	switch {
	case s.CustomerID != 0:
		return customerStripe(s.CustomerID), true
	case s.StaffID != 0:
		return staffStripe(s.StaffID), true
	}
	return 0, false
}

func (db *DB) sessionByHash(ctx context.Context, idHash string) (*Session, error) {
	var s Session
	var customer, staff sql.NullInt64
	var sf, created, seen int64
	err := db.QueryRowContext(ctx, `SELECT id_hash, site, customer_id, staff_id, level, csrf_token, method,
		second_factor_at, step_up_purpose, client_ip, user_agent, created_at, last_seen_at FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &s.Site, &customer, &staff, &s.Level, &s.CSRFToken, &s.Method, &sf, &s.StepUpPurpose,
			&s.ClientIP, &s.UserAgent, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s.CustomerID, s.StaffID = customer.Int64, staff.Int64
	s.SecondFactorAt, s.CreatedAt, s.LastSeenAt = time.Unix(sf, 0), time.Unix(created, 0), time.Unix(seen, 0)
	return &s, nil
}

// ReplaceSession stores s in place of the session oldHash (none if ""), in
// one transaction: a rotated session never leaves its browser with none,
// nor with two. CreatedAt is kept as given, so a rotated session keeps its
// absolute lifetime.
func (db *DB) ReplaceSession(ctx context.Context, oldHash string, s *Session) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if oldHash != "" {
			if err := tx.moveOIDCSession(ctx, oldHash, s); err != nil {
				return err
			}
			if err := tx.DeleteSession(ctx, oldHash); err != nil {
				return err
			}
		}
		return tx.CreateSession(ctx, s)
	})
}

// CreateSession stores a new session inside a transaction.
func (tx *Tx) CreateSession(ctx context.Context, s *Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, site, customer_id, staff_id, level, csrf_token,
		method, second_factor_at, step_up_purpose, client_ip, user_agent, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.Site, nullID(s.CustomerID), nullID(s.StaffID), s.Level, s.CSRFToken, s.Method,
		unixOrZero(s.SecondFactorAt), s.StepUpPurpose, s.ClientIP, s.UserAgent, s.CreatedAt.Unix(), s.LastSeenAt.Unix())
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// DeleteSession removes a session (logout, rotation, expiry).
func (tx *Tx) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSession removes a session outside any other change.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.DeleteSession(ctx, idHash) })
}

// TouchSession records activity, for the idle limit. It writes at most once
// a minute per session so page views do not queue on the write lock.
func (db *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?`,
		at.Unix(), idHash, at.Unix()-60)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSessionsBefore removes sessions idle since idleBefore or created
// before createdBefore; it returns how many went.
func (db *DB) DeleteSessionsBefore(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
		idleBefore.Unix(), createdBefore.Unix())
	if err != nil {
		return 0, fmt.Errorf("delete old sessions: %w", err)
	}
	return res.RowsAffected()
}

// SetSessionMethod records which second-factor method a pending session uses.
func (db *DB) SetSessionMethod(ctx context.Context, idHash, method string) error {
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET method = ? WHERE id_hash = ?`, method, idHash); err != nil {
		return fmt.Errorf("set session method: %w", err)
	}
	return nil
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// StepUpUsed clears a session's step-up so it approves only one operation.
func (db *DB) StepUpUsed(ctx context.Context, idHash string) error {
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET step_up_purpose = '' WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("clear step-up: %w", err)
	}
	return nil
}
