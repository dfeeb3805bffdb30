package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OIDCAuthRequest is a relying party's authorisation request, from the
// redirect to mfadesk until its code is exchanged (package idp).
type OIDCAuthRequest struct {
	ID                  string
	ClientID            string
	RedirectURI         string
	State               string
	Nonce               string
	Scopes              []string
	ResponseType        string
	ResponseMode        string
	CodeChallenge       string
	CodeChallengeMethod string
	MaxAge              int // -1: none asked
	ACRValues           []string
	Prompt              []string
	CreatedAt           time.Time
	ExpiresAt           time.Time
	// A second factor passed for this request alone (step-up), and when.
	StepUpMethod string
	StepUpAt     time.Time
	// The authentication that satisfied the request; DoneAt zero until then.
	CustomerID int64
	SID        string
	AuthTime   time.Time
	AMR        []string
	ACR        string
	DoneAt     time.Time
	CodeUsedAt time.Time
}

const oidcRequestColumns = `id, client_id, redirect_uri, state, nonce, scopes, response_type, response_mode,
	code_challenge, code_challenge_method, max_age, acr_values, prompt, created_at, expires_at,
	stepup_method, stepup_at, COALESCE(customer_id, 0), sid, auth_time, amr, acr, done_at, code_used_at`

// CreateOIDCAuthRequest stores a new request; CreatedAt is the
// transaction's time.
func (tx *Tx) CreateOIDCAuthRequest(ctx context.Context, r *OIDCAuthRequest) error {
	r.CreatedAt = time.Unix(tx.now.Unix(), 0)
	_, err := tx.ExecContext(ctx, `INSERT INTO oidc_auth_requests (id, client_id, redirect_uri, state, nonce, scopes,
		response_type, response_mode, code_challenge, code_challenge_method, max_age, acr_values, prompt, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ClientID, r.RedirectURI, r.State, r.Nonce, strings.Join(r.Scopes, " "), r.ResponseType, r.ResponseMode,
		r.CodeChallenge, r.CodeChallengeMethod, r.MaxAge, strings.Join(r.ACRValues, " "), strings.Join(r.Prompt, " "),
		r.CreatedAt.Unix(), r.ExpiresAt.Unix())
	if err != nil {
		return fmt.Errorf("create oidc auth request: %w", err)
	}
	return nil
}

// OIDCAuthRequest returns the request of id, expired or not.
func (db *DB) OIDCAuthRequest(ctx context.Context, id string) (*OIDCAuthRequest, error) {
	return scanOIDCRequest(db.QueryRowContext(ctx, `SELECT `+oidcRequestColumns+` FROM oidc_auth_requests WHERE id = ?`, id))
}

// OIDCAuthRequestByCode returns the request whose code hashes to codeHash,
// used or not.
func (db *DB) OIDCAuthRequestByCode(ctx context.Context, codeHash string) (*OIDCAuthRequest, error) {
	return scanOIDCRequest(db.QueryRowContext(ctx, `SELECT `+oidcRequestColumns+` FROM oidc_auth_requests
		WHERE code_hash = ? AND code_expires_at > ?`, codeHash, db.unix()))
}

func scanOIDCRequest(row *sql.Row) (*OIDCAuthRequest, error) {
	var r OIDCAuthRequest
	var scopes, acrs, prompt, amr string
	var created, expires, stepAt, authTime, done, used int64
	err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &r.State, &r.Nonce, &scopes, &r.ResponseType, &r.ResponseMode,
		&r.CodeChallenge, &r.CodeChallengeMethod, &r.MaxAge, &acrs, &prompt, &created, &expires,
		&r.StepUpMethod, &stepAt, &r.CustomerID, &r.SID, &authTime, &amr, &r.ACR, &done, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("oidc auth request: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("oidc auth request: %w", err)
	}
	r.Scopes, r.ACRValues, r.Prompt, r.AMR = strings.Fields(scopes), strings.Fields(acrs), strings.Fields(prompt), strings.Fields(amr)
	r.CreatedAt, r.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	r.StepUpAt, r.AuthTime, r.DoneAt, r.CodeUsedAt = unixTime(stepAt), unixTime(authTime), unixTime(done), unixTime(used)
	return &r, nil
}

// unixTime reads a stored unix time, 0 being the zero time.
func unixTime(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(t, 0)
}

// OIDCAuthRequestSteppedUp records a second factor passed for the live
// request id now, by method.
func (db *DB) OIDCAuthRequestSteppedUp(ctx context.Context, id, method string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE oidc_auth_requests SET stepup_method = ?, stepup_at = ?
			WHERE id = ? AND done_at = 0 AND expires_at > ?`, method, tx.now.Unix(), id, tx.now.Unix())
		if err != nil {
			return fmt.Errorf("oidc step-up: %w", err)
		}
		return oneOIDCRow(res, "oidc step-up "+id)
	})
}

// CompleteOIDCAuthRequest records the authentication that satisfied the
// live, unfinished request r.ID (its CustomerID, SID, AuthTime, AMR, ACR).
func (tx *Tx) CompleteOIDCAuthRequest(ctx context.Context, r *OIDCAuthRequest) error {
	res, err := tx.ExecContext(ctx, `UPDATE oidc_auth_requests SET customer_id = ?, sid = ?, auth_time = ?, amr = ?, acr = ?,
		done_at = ? WHERE id = ? AND done_at = 0 AND expires_at > ?`,
		r.CustomerID, r.SID, r.AuthTime.Unix(), strings.Join(r.AMR, " "), r.ACR, tx.now.Unix(), r.ID, tx.now.Unix())
	if err != nil {
		return fmt.Errorf("complete oidc auth request: %w", err)
	}
	return oneOIDCRow(res, "complete oidc auth request "+r.ID)
}

// SaveOIDCAuthCode gives the completed request its code (by hash).
func (db *DB) SaveOIDCAuthCode(ctx context.Context, id, codeHash string, expires time.Time) error {
	res, err := db.ExecContext(ctx, `UPDATE oidc_auth_requests SET code_hash = ?, code_expires_at = ?
		WHERE id = ? AND done_at > 0 AND code_hash IS NULL`, codeHash, expires.Unix(), id)
	if err != nil {
		return fmt.Errorf("save oidc code: %w", err)
	}
	return oneOIDCRow(res, "save oidc code "+id)
}

// TakeOIDCAuthCode marks the request's code used, in the transaction
// that issues its tokens; a code used already is ErrConflict, so of two
// parallel exchanges one issues tokens.
func (tx *Tx) TakeOIDCAuthCode(ctx context.Context, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE oidc_auth_requests SET code_used_at = ? WHERE id = ? AND code_used_at = 0`,
		tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("use oidc code: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("use oidc code: %w", err)
	} else if n != 1 {
		return fmt.Errorf("oidc code of %s used twice: %w", id, ErrConflict)
	}
	return nil
}

// RevokeOIDCCodeTokens revokes every token issued for the request's
// code: the code was presented again, so it was stolen or replayed.
func (db *DB) RevokeOIDCCodeTokens(ctx context.Context, id string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE oidc_tokens SET revoked_at = ? WHERE auth_request_id = ? AND revoked_at = 0`,
			tx.now.Unix(), id); err != nil {
			return fmt.Errorf("revoke tokens of a reused code: %w", err)
		}
		return nil
	})
}

// oneOIDCRow turns a statement that touched no row into ErrNotFound.
func oneOIDCRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n != 1 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
