package data

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Document checks stored before numbers were dropped lose the last
// characters they recorded; other verifications keep their detail.
func TestDocumentNumberMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sdb := migratedBelow(t, path, "0029")
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '山田 太郎', 'ヤマダ タロウ', '1950-04-01', 'x', 'x', 1, 1)`,
		`INSERT INTO staff (id, login_id, name, role, org_id, password_hash, created_at, updated_at)
			VALUES (1, 's', '店員', 'agent', 'support', 'x', 1, 1)`,
		`INSERT INTO cases (id, customer_id, org_id, staff_id, channel, reason, opened_at) VALUES (1, 1, 'support', 1, 'shop', 'r', 1)`,
		`INSERT INTO verifications (case_id, customer_id, staff_id, method, strength, status, detail, created_at) VALUES
			(1, 1, 1, 'document', 'strong', 'passed', 'document=mynumber last4=1234', 1),
			(1, 1, 1, 'document', 'strong', 'passed', 'document=insurance last4=AB12', 1),
			(1, 1, 1, 'document', 'strong', 'passed', 'last4=9999', 1),
			(1, 1, 1, 'possession', 'strong', 'passed', 'channel=sms to=***-****-0002', 1)`,
	} {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()
	db, err := Open(ctx, path, func() time.Time { return time.Unix(1_800_000_000, 0) })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vs, err := db.Verifications(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Detail)
	}
	slices.Sort(got)
	want := []string{"", "channel=sms to=***-****-0002", "document=insurance", "document=mynumber"}
	if !slices.Equal(got, want) {
		t.Errorf("details %q, want %q", got, want)
	}
}
