package data

import (
	"context"
	"fmt"
	"time"
)

// OIDCSigningKey is one of the provider's RS256 keys. PrivateEnc is the
// PKCS #8 key sealed under the application key (bound to Generation).
type OIDCSigningKey struct {
	ID         int64
	Generation int64
	KID        string
	PublicDER  []byte // PKIX
	PrivateEnc []byte
	CreatedAt  time.Time
	SignsFrom  time.Time
}

// OIDCSigningKeys lists every key, oldest generation first.
func (db *DB) OIDCSigningKeys(ctx context.Context) ([]OIDCSigningKey, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, generation, kid, public_der, private_enc, created_at, signs_from
		FROM oidc_signing_keys ORDER BY generation`)
	if err != nil {
		return nil, fmt.Errorf("oidc signing keys: %w", err)
	}
	defer rows.Close()
	var out []OIDCSigningKey
	for rows.Next() {
		var k OIDCSigningKey
		var created, from int64
		if err := rows.Scan(&k.ID, &k.Generation, &k.KID, &k.PublicDER, &k.PrivateEnc, &created, &from); err != nil {
			return nil, fmt.Errorf("oidc signing keys: %w", err)
		}
		k.CreatedAt, k.SignsFrom = time.Unix(created, 0), time.Unix(from, 0)
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddOIDCSigningKey stores k unless its generation exists already
// (another instance made it first); it reports whether k was stored.
func (db *DB) AddOIDCSigningKey(ctx context.Context, k *OIDCSigningKey) (bool, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO oidc_signing_keys (generation, kid, public_der, private_enc, created_at, signs_from)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (generation) DO NOTHING`,
		k.Generation, k.KID, k.PublicDER, k.PrivateEnc, k.CreatedAt.Unix(), k.SignsFrom.Unix())
	if err != nil {
		return false, fmt.Errorf("add oidc signing key: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
