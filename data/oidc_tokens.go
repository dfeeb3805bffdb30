package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OIDC token kinds.
const (
	OIDCAccess  = "access"
	OIDCRefresh = "refresh"
)

// OIDCToken is an issued access or refresh token; only its hash is kept.
type OIDCToken struct {
	ID            int64
	Kind          string // OIDCAccess or OIDCRefresh
	Hash          string
	ClientID      string
	CustomerID    int64
	SID           string
	AuthRequestID string
	Scopes        []string
	AuthTime      time.Time
	AMR           []string
	ACR           string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	RevokedAt     time.Time
}

// CreateOIDCToken stores a token; CreatedAt is the transaction's time.
func (tx *Tx) CreateOIDCToken(ctx context.Context, t *OIDCToken) error {
	t.CreatedAt = time.Unix(tx.now.Unix(), 0)
	id, err := tx.insertID(ctx, `INSERT INTO oidc_tokens (kind, token_hash, client_id, customer_id, sid, auth_request_id,
		scopes, auth_time, amr, acr, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Kind, t.Hash, t.ClientID, t.CustomerID, t.SID, t.AuthRequestID, strings.Join(t.Scopes, " "), unixOrZero(t.AuthTime),
		strings.Join(t.AMR, " "), t.ACR, t.CreatedAt.Unix(), t.ExpiresAt.Unix())
	if err != nil {
		return fmt.Errorf("create oidc token: %w", err)
	}
	t.ID = id
	return nil
}

// OIDCTokenByHash returns the token of that kind and hash, revoked or
// expired too: the caller decides.
func (db *DB) OIDCTokenByHash(ctx context.Context, kind, hash string) (*OIDCToken, error) {
	var t OIDCToken
	var scopes, amr string
	var authTime, created, expires, revoked int64
	err := db.QueryRowContext(ctx, `SELECT id, kind, token_hash, client_id, customer_id, sid, auth_request_id, scopes,
		auth_time, amr, acr, created_at, expires_at, revoked_at FROM oidc_tokens WHERE kind = ? AND token_hash = ?`, kind, hash).
		Scan(&t.ID, &t.Kind, &t.Hash, &t.ClientID, &t.CustomerID, &t.SID, &t.AuthRequestID, &scopes, &authTime, &amr, &t.ACR,
			&created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("oidc token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("oidc token: %w", err)
	}
	t.Scopes, t.AMR = strings.Fields(scopes), strings.Fields(amr)
	t.AuthTime, t.CreatedAt, t.ExpiresAt, t.RevokedAt = unixTime(authTime), time.Unix(created, 0), time.Unix(expires, 0), unixTime(revoked)
	return &t, nil
}

// Live reports whether the token is neither revoked nor expired at now.
func (t *OIDCToken) Live(now time.Time) bool { return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt) }

// RevokeOIDCToken revokes one token; it reports false when the token
// was revoked already (of two parallel refreshes, one wins).
func (tx *Tx) RevokeOIDCToken(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE oidc_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, tx.now.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("revoke oidc token: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
