package data

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// An OIDC client round-trips through the table; updates leave the ID,
// secret and creator alone; disabling keeps the first time; an unknown id
// is ErrNotFound and a taken one ErrConflict.
func TestOIDCClients(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db := openOIDCTestDB(t, &now)
	in := OIDCClient{ID: "cid1", Name: "Shop", RedirectURIs: []string{"https://rp.example/cb", "https://rp.example/cb2"},
		PostLogoutRedirectURIs: []string{"https://rp.example/bye"}, BackchannelLogoutURI: "https://rp.example/bcl",
		Scopes: []string{"openid", "email"}, RequiredACR: "urn:mfadesk:acr:mfa", SecretHash: []byte{1, 2, 3}, CreatedBy: 1}
	tx := func(fn func(tx *Tx) error) error { return db.InTx(ctx, fn) }
	if err := tx(func(tx *Tx) error { return tx.CreateOIDCClient(ctx, &in) }); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx *Tx) error { return tx.CreateOIDCClient(ctx, &OIDCClient{ID: "cid1", CreatedBy: 1}) }); !errors.Is(err, ErrConflict) {
		t.Errorf("second client with the same id: %v", err)
	}
	got, err := db.OIDCClient(ctx, "cid1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Shop" || !slices.Equal(got.RedirectURIs, in.RedirectURIs) || !slices.Equal(got.PostLogoutRedirectURIs, in.PostLogoutRedirectURIs) ||
		got.BackchannelLogoutURI != in.BackchannelLogoutURI || !slices.Equal(got.Scopes, in.Scopes) || got.RequiredACR != in.RequiredACR ||
		got.Public || !bytes.Equal(got.SecretHash, []byte{1, 2, 3}) || got.CreatedBy != 1 || !got.CreatedAt.Equal(now) || !got.Enabled() {
		t.Errorf("round trip: %+v", got)
	}

	up := *got
	up.Name, up.RedirectURIs, up.Scopes, up.RequiredACR = "Shop 2", []string{"https://rp.example/new"}, nil, ""
	up.CreatedBy, up.SecretHash = 99, []byte{9}
	if err := tx(func(tx *Tx) error { return tx.UpdateOIDCClient(ctx, &up) }); err != nil {
		t.Fatal(err)
	}
	got, _ = db.OIDCClient(ctx, "cid1")
	if got.Name != "Shop 2" || !slices.Equal(got.RedirectURIs, []string{"https://rp.example/new"}) || len(got.Scopes) != 0 ||
		got.RequiredACR != "" || got.CreatedBy != 1 || !bytes.Equal(got.SecretHash, []byte{1, 2, 3}) {
		t.Errorf("after update: %+v", got)
	}
	if err := tx(func(tx *Tx) error { return tx.SetOIDCClientSecretHash(ctx, "cid1", []byte{4, 5}) }); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.OIDCClient(ctx, "cid1"); !bytes.Equal(got.SecretHash, []byte{4, 5}) {
		t.Errorf("secret hash not replaced: %v", got.SecretHash)
	}

	pub := OIDCClient{ID: "app", Name: "App", RedirectURIs: []string{"com.example.app:/cb"}, Public: true, SecretHash: []byte{7}, CreatedBy: 1}
	if err := tx(func(tx *Tx) error { return tx.CreateOIDCClient(ctx, &pub) }); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.OIDCClient(ctx, "app"); !got.Public || got.SecretHash != nil {
		t.Errorf("public client kept a secret: %+v", got)
	}

	if err := tx(func(tx *Tx) error { return tx.DisableOIDCClient(ctx, "cid1") }); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := tx(func(tx *Tx) error { return tx.DisableOIDCClient(ctx, "cid1") }); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.OIDCClient(ctx, "cid1"); got.Enabled() || !got.DisabledAt.Equal(now.Add(-time.Hour)) {
		t.Errorf("disabled at %v", got.DisabledAt)
	}
	list, err := db.OIDCClients(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "app" || list[1].ID != "cid1" {
		t.Errorf("list: %+v, %v", list, err)
	}

	for name, fn := range map[string]func(tx *Tx) error{
		"update":  func(tx *Tx) error { return tx.UpdateOIDCClient(ctx, &OIDCClient{ID: "nope"}) },
		"secret":  func(tx *Tx) error { return tx.SetOIDCClientSecretHash(ctx, "nope", []byte{1}) },
		"disable": func(tx *Tx) error { return tx.DisableOIDCClient(ctx, "nope") },
	} {
		if err := tx(fn); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an unknown client: %v", name, err)
		}
	}
	if _, err := db.OIDCClient(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown client: %v", err)
	}
}

// openOIDCTestDB is a database at the clock *now with customer 1 and
// staff member 1.
func openOIDCTestDB(t *testing.T, now *time.Time) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "oidc.db"), func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date, phone,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '山田 太郎', 'ヤマダ タロウ', '1950-04-01', '+819000000001', 'x', 'x', 1, 1)`,
		`INSERT INTO staff (id, login_id, name, role, org_id, password_hash, created_at, updated_at)
			VALUES (1, 'admin', 'A', 'admin', 'support', 'x', 1, 1)`,
	} {
		if _, err := db.sql.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}
