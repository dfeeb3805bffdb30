package data

import (
	"context"
	"fmt"
	"time"
)

// Anonymous sessions hold state before anyone is known (a passkey login's
// challenge). They are bounded per client address and short-lived; see
// web/anonymous.go and docs/operations.md. The queries name level
// 'anonymous' literally so SQLite uses the partial index sessions_anonymous.

// CreateAnonymousSession stores s, an anonymous session, unless its client
// address already holds perAddress anonymous sessions of the site; those
// created before expiredBefore are deleted first, with their ceremonies.
// It reports whether s was stored. Count and insert share one write
// transaction, so parallel requests cannot pass the cap together.
func (db *DB) CreateAnonymousSession(ctx context.Context, s *Session, expiredBefore time.Time, perAddress int) (bool, error) {
	stored := false
	err := db.InTx(ctx, func(tx *Tx) error {
		expired := `SELECT id_hash FROM sessions WHERE level = 'anonymous' AND client_ip = ? AND site = ? AND created_at < ?`
		if err := tx.deleteAnonymous(ctx, expired, s.ClientIP, s.Site, expiredBefore.Unix()); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE level = 'anonymous' AND client_ip = ? AND site = ?`,
			s.ClientIP, s.Site).Scan(&n); err != nil {
			return fmt.Errorf("count anonymous sessions: %w", err)
		}
		if n >= perAddress {
			return nil
		}
		stored = true
		return tx.CreateSession(ctx, s)
	})
	return stored, err
}

// SweepAnonymous deletes the anonymous sessions created before
// createdBefore and every expired WebAuthn ceremony (a ceremony begun and
// abandoned is otherwise never deleted).
func (db *DB) SweepAnonymous(ctx context.Context, createdBefore time.Time) error {
	return db.InTx(ctx, func(tx *Tx) error {
		old := `SELECT id_hash FROM sessions WHERE level = 'anonymous' AND created_at < ?`
		if err := tx.deleteAnonymous(ctx, old, createdBefore.Unix()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webauthn_ceremonies WHERE expires_at <= ?`, tx.now.Unix()); err != nil {
			return fmt.Errorf("sweep ceremonies: %w", err)
		}
		return nil
	})
}

// deleteAnonymous deletes the sessions whose id_hash the query selects,
// and their ceremonies.
func (tx *Tx) deleteAnonymous(ctx context.Context, query string, args ...any) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM webauthn_ceremonies WHERE session_hash IN (`+query+`)`, args...); err != nil {
		return fmt.Errorf("delete anonymous ceremonies: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash IN (`+query+`)`, args...); err != nil {
		return fmt.Errorf("delete anonymous sessions: %w", err)
	}
	return nil
}
