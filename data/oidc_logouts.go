package data

import (
	"context"
	"fmt"
	"time"
)

// OIDCLogout is a back-channel logout waiting to reach a relying party.
type OIDCLogout struct {
	ID         int64
	ClientID   string
	URI        string // the client's back-channel logout URI
	SID        string
	CustomerID int64
	Attempts   int
}

// ClaimOIDCLogouts returns up to limit logouts due at now and holds each
// until now+lease, so another worker (or instance) does not send it too
// while this one does.
func (db *DB) ClaimOIDCLogouts(ctx context.Context, limit int, lease time.Duration) ([]OIDCLogout, error) {
	var out []OIDCLogout
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT l.id, l.client_id, c.backchannel_logout_uri, l.sid, l.customer_id, l.attempts
			FROM oidc_logouts l JOIN oidc_clients c ON c.id = l.client_id
			WHERE l.sent_at = 0 AND l.failed_at = 0 AND l.next_at <= ? ORDER BY l.id LIMIT ?`, tx.now.Unix(), limit)
		if err != nil {
			return fmt.Errorf("due oidc logouts: %w", err)
		}
		for rows.Next() {
			var l OIDCLogout
			if err := rows.Scan(&l.ID, &l.ClientID, &l.URI, &l.SID, &l.CustomerID, &l.Attempts); err != nil {
				rows.Close()
				return fmt.Errorf("due oidc logouts: %w", err)
			}
			out = append(out, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE oidc_logouts SET next_at = ? WHERE id = ?`,
				tx.now.Add(lease).Unix(), l.ID); err != nil {
				return fmt.Errorf("claim oidc logout: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// OIDCLogoutDone records the outcome of one attempt: sent, or failed with
// errText and tried again at retryAt, or given up when retryAt is zero.
func (db *DB) OIDCLogoutDone(ctx context.Context, id int64, errText string, retryAt time.Time) error {
	now := db.unix()
	var err error
	switch {
	case errText == "":
		_, err = db.ExecContext(ctx, `UPDATE oidc_logouts SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`, now, id)
	case retryAt.IsZero():
		_, err = db.ExecContext(ctx, `UPDATE oidc_logouts SET failed_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`,
			now, errText, id)
	default:
		_, err = db.ExecContext(ctx, `UPDATE oidc_logouts SET next_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`,
			retryAt.Unix(), errText, id)
	}
	if err != nil {
		return fmt.Errorf("oidc logout %d: %w", id, err)
	}
	return nil
}

// OIDCLogoutsOf lists the logouts queued for a customer, newest first
// (tests and the operator's view of retries).
func (db *DB) OIDCLogoutsOf(ctx context.Context, customerID int64) ([]OIDCLogout, error) {
	rows, err := db.QueryContext(ctx, `SELECT l.id, l.client_id, c.backchannel_logout_uri, l.sid, l.customer_id, l.attempts
		FROM oidc_logouts l JOIN oidc_clients c ON c.id = l.client_id WHERE l.customer_id = ? ORDER BY l.id DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("oidc logouts: %w", err)
	}
	defer rows.Close()
	var out []OIDCLogout
	for rows.Next() {
		var l OIDCLogout
		if err := rows.Scan(&l.ID, &l.ClientID, &l.URI, &l.SID, &l.CustomerID, &l.Attempts); err != nil {
			return nil, fmt.Errorf("oidc logouts: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
