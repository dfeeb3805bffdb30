package data

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// A passkey setup link is used once, not after it expired, and a newer
// link of the same customer voids the older one.
func TestPasskeySetupLinkUse(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db, err := Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "links.db")), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date, phone,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '山田 太郎', 'ヤマダ タロウ', '1950-04-01', '+819000000001', 'x', 'x', 1, 1)`,
		`INSERT INTO staff (id, login_id, name, role, org_id, password_hash, created_at, updated_at)
			VALUES (1, 'agent', 'A', 'agent', 'support', 'x', 1, 1)`,
		`INSERT INTO cases (id, customer_id, org_id, staff_id, channel, reason, opened_at) VALUES (1, 1, 'support', 1, 'phone', 'r', 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	create := func(hash string) *PasskeySetupLink {
		t.Helper()
		if err := db.InTx(ctx, func(tx *Tx) error {
			return tx.CreatePasskeySetupLink(ctx, &PasskeySetupLink{CustomerID: 1, CaseID: 1, StaffID: 1, TokenHash: hash,
				ExpiresAt: now.Add(15 * time.Minute)})
		}); err != nil {
			t.Fatal(err)
		}
		l, err := db.OpenPasskeySetupLink(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	use := func(l *PasskeySetupLink) error {
		return db.InTx(ctx, func(tx *Tx) error { return tx.UsePasskeySetupLink(ctx, l.ID) })
	}
	first := create("h1")
	second := create("h2")
	if _, err := db.OpenPasskeySetupLink(ctx, "h1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("older link still open: %v", err)
	}
	if err := use(first); !errors.Is(err, ErrConflict) {
		t.Errorf("voided link used: %v", err)
	}
	if err := use(second); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := use(second); !errors.Is(err, ErrConflict) {
		t.Errorf("second use: %v", err)
	}
	third := create("h3")
	now = now.Add(15 * time.Minute)
	if err := use(third); !errors.Is(err, ErrConflict) {
		t.Errorf("expired link used: %v", err)
	}
}
