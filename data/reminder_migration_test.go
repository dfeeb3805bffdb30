package data

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"mfadesk/contact"
)

// Migration 0032 rebuilds postal_letters (reminder letters: no case) and
// action_requests (address requests) with the tables that refer to it:
// existing letters, requests, passes and codes keep their rows and their
// references, and the new kinds can be stored.
func TestReminderAndAddressRequestMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sdb := migratedBelow(t, path, "0032")
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '山田 太郎', 'ヤマダ タロウ', '1950-04-01', 'x', 'x', 1, 1)`,
		`INSERT INTO staff (id, login_id, name, role, org_id, password_hash, created_at, updated_at)
			VALUES (1, 's', '担当', 'agent', 'support', 'x', 1, 1)`,
		`INSERT INTO cases (id, customer_id, org_id, staff_id, channel, reason, opened_at) VALUES (1, 1, 'support', 1, 'phone', 'r', 1)`,
		`INSERT INTO action_requests (id, case_id, customer_id, kind, temp_pass, requested_by, status, created_at, expires_at)
			VALUES (7, 1, 1, 'reset', 1, 1, 'approved', 1, 2)`,
		`INSERT INTO temp_passes (customer_id, case_id, staff_id, request_id, pass_hash, created_at, expires_at)
			VALUES (1, 1, 1, 7, 'h', 1, 2)`,
		`INSERT INTO password_set_codes (customer_id, case_id, staff_id, request_id, code_hash, created_at, expires_at)
			VALUES (1, 1, 1, 7, 'h', 1, 2)`,
		`INSERT INTO postal_letters (id, customer_id, case_id, status, code_enc, postcode, prefecture, city, name, created_at, expires_at)
			VALUES (3, 1, 1, 'queued', x'0102', '1000005', '東京都', '千代田区1-1', '山田 太郎', 1, 2)`,
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
	if r, err := db.RequestByID(ctx, 7); err != nil || r.Kind != RequestReset || !r.TempPass {
		t.Fatalf("request kept: %+v %v", r, err)
	}
	l, err := db.PostalLetter(ctx, 3)
	if err != nil || l.Kind != LetterKindCode || l.CaseID != 1 || string(l.CodeEnc) != "\x01\x02" || l.Lang != "ja" {
		t.Fatalf("letter kept: %+v %v", l, err)
	}
	var broken int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&broken); err != nil || broken != 0 {
		t.Fatalf("foreign key check: %d %v", broken, err)
	}
	addr := contact.Address{Postcode: "0600001", Prefecture: "北海道", City: "札幌市1-1"}
	err = db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.CreateRequest(ctx, &ActionRequest{CaseID: 1, CustomerID: 1, Kind: RequestAddress, Address: addr,
			RequestedBy: 1, ExpiresAt: time.Unix(1_800_000_100, 0)}); err != nil {
			return err
		}
		_, err := tx.QueuePostalLetter(ctx, &PostalLetter{CustomerID: 1, Kind: LetterKindReminder, Address: addr,
			List: "no_email", Phase: time.Unix(1_900_000_000, 0), ExpiresAt: time.Unix(1_900_000_000, 0)})
		return err
	})
	if err != nil {
		t.Fatalf("new kinds: %v", err)
	}
}
