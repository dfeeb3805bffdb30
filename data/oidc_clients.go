package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// OIDCClient is a relying party registered to sign customers in through
// mfadesk's OpenID Connect provider (package idp).
type OIDCClient struct {
	ID                     string   // client_id: random, URL-safe
	Name                   string   // shown to staff
	RedirectURIs           []string // exact match only
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string    // "" = none
	Scopes                 []string  // allowed: openid profile email phone offline_access …
	RequiredACR            string    // "" or an acr value every login of this client must reach
	Public                 bool      // no secret (mobile app); PKCE always required anyway
	SecretHash             []byte    // nil when Public
	CreatedBy              int64     // staff id
	CreatedAt, DisabledAt  time.Time // DisabledAt zero while enabled
}

// Enabled reports whether the client may still sign customers in.
func (c *OIDCClient) Enabled() bool { return c.DisabledAt.IsZero() }

const oidcClientColumns = `id, name, redirect_uris, post_logout_redirect_uris, backchannel_logout_uri,
	scopes, required_acr, public, secret_hash, created_by, created_at, disabled_at`

// CreateOIDCClient stores a new client; CreatedAt is the transaction's
// time. A taken ID is ErrConflict.
func (tx *Tx) CreateOIDCClient(ctx context.Context, c *OIDCClient) error {
	if c.ID == "" {
		return fmt.Errorf("create oidc client: empty id")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM oidc_clients WHERE id = ?`, c.ID).Scan(&n); err != nil {
		return fmt.Errorf("create oidc client: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("create oidc client %s: %w", c.ID, ErrConflict)
	}
	lists, err := oidcClientLists(c)
	if err != nil {
		return fmt.Errorf("create oidc client: %w", err)
	}
	c.CreatedAt = time.Unix(tx.now.Unix(), 0)
	c.DisabledAt = time.Time{}
	_, err = tx.ExecContext(ctx, `INSERT INTO oidc_clients (`+oidcClientColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		c.ID, c.Name, lists[0], lists[1], c.BackchannelLogoutURI, lists[2], c.RequiredACR,
		boolInt(c.Public), secretColumn(c), c.CreatedBy, c.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("create oidc client: %w", err)
	}
	return nil
}

// UpdateOIDCClient changes everything but the ID, the secret and who
// created the client when. Public clients lose their secret hash.
func (tx *Tx) UpdateOIDCClient(ctx context.Context, c *OIDCClient) error {
	lists, err := oidcClientLists(c)
	if err != nil {
		return fmt.Errorf("update oidc client: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE oidc_clients SET name = ?, redirect_uris = ?,
		post_logout_redirect_uris = ?, backchannel_logout_uri = ?, scopes = ?, required_acr = ?, public = ?,
		secret_hash = CASE WHEN ? = 1 THEN NULL ELSE secret_hash END
		WHERE id = ?`, c.Name, lists[0], lists[1], c.BackchannelLogoutURI, lists[2], c.RequiredACR,
		boolInt(c.Public), boolInt(c.Public), c.ID)
	if err != nil {
		return fmt.Errorf("update oidc client: %w", err)
	}
	return oneOIDCRow(res, "update oidc client "+c.ID)
}

// SetOIDCClientSecretHash replaces the client's secret hash (a new
// secret was issued); the old secret stops working at once.
func (tx *Tx) SetOIDCClientSecretHash(ctx context.Context, id string, hash []byte) error {
	res, err := tx.ExecContext(ctx, `UPDATE oidc_clients SET secret_hash = ? WHERE id = ?`, hash, id)
	if err != nil {
		return fmt.Errorf("set oidc client secret: %w", err)
	}
	return oneOIDCRow(res, "set oidc client secret "+id)
}

// DisableOIDCClient stops the client signing anyone in; disabling twice
// keeps the first time.
func (tx *Tx) DisableOIDCClient(ctx context.Context, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE oidc_clients SET disabled_at = CASE WHEN disabled_at = 0 THEN ? ELSE disabled_at END
		WHERE id = ?`, tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("disable oidc client: %w", err)
	}
	return oneOIDCRow(res, "disable oidc client "+id)
}

// OIDCClient returns the client of id, enabled or not; ErrNotFound when
// there is none.
func (db *DB) OIDCClient(ctx context.Context, id string) (*OIDCClient, error) {
	row := db.QueryRowContext(ctx, `SELECT `+oidcClientColumns+` FROM oidc_clients WHERE id = ?`, id)
	c, err := scanOIDCClient(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("oidc client %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("oidc client %s: %w", id, err)
	}
	return c, nil
}

// OIDCClients lists every client, enabled or not, by name.
func (db *DB) OIDCClients(ctx context.Context) ([]OIDCClient, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+oidcClientColumns+` FROM oidc_clients ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("oidc clients: %w", err)
	}
	defer rows.Close()
	var out []OIDCClient
	for rows.Next() {
		c, err := scanOIDCClient(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("oidc clients: %w", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("oidc clients: %w", err)
	}
	return out, nil
}

func scanOIDCClient(scan func(dest ...any) error) (*OIDCClient, error) {
	var c OIDCClient
	var redirects, postLogout, scopes string
	var public int
	var created, disabled int64
	if err := scan(&c.ID, &c.Name, &redirects, &postLogout, &c.BackchannelLogoutURI, &scopes, &c.RequiredACR,
		&public, &c.SecretHash, &c.CreatedBy, &created, &disabled); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		text string
		dst  *[]string
	}{{redirects, &c.RedirectURIs}, {postLogout, &c.PostLogoutRedirectURIs}, {scopes, &c.Scopes}} {
		if err := json.Unmarshal([]byte(l.text), l.dst); err != nil {
			return nil, fmt.Errorf("client %s lists: %w", c.ID, err)
		}
	}
	c.Public = public == 1
	if len(c.SecretHash) == 0 {
		c.SecretHash = nil
	}
	c.CreatedAt = time.Unix(created, 0)
	if disabled > 0 {
		c.DisabledAt = time.Unix(disabled, 0)
	}
	return &c, nil
}

// oidcClientLists encodes redirect URIs, post-logout URIs and scopes.
func oidcClientLists(c *OIDCClient) ([3]string, error) {
	var out [3]string
	for i, l := range [][]string{c.RedirectURIs, c.PostLogoutRedirectURIs, c.Scopes} {
		if l == nil {
			l = []string{}
		}
		b, err := json.Marshal(l)
		if err != nil {
			return out, err
		}
		out[i] = string(b)
	}
	return out, nil
}

func secretColumn(c *OIDCClient) any {
	if c.Public || len(c.SecretHash) == 0 {
		return nil
	}
	return c.SecretHash
}
