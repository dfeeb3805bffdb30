package data

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// The rebuild of action_requests for the 'password' kind keeps every
// request and temporary pass, and a pass still refers to its request.
func TestPasswordKindMigrationKeepsRequestsAndPasses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sdb := migratedBelow(t, path, "0022")
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date, phone,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '山田 太郎', 'ヤマダ タロウ', '1950-04-01', '+819000000001', 'x', 'x', 1, 1)`,
		`INSERT INTO staff (id, login_id, name, role, org_id, password_hash, created_at, updated_at)
			VALUES (1, 'agent', 'A', 'agent', 'support', 'x', 1, 1)`,
		`INSERT INTO cases (id, customer_id, org_id, staff_id, channel, reason, opened_at) VALUES (1, 1, 'support', 1, 'phone', 'r', 1)`,
		`INSERT INTO action_requests (id, case_id, customer_id, kind, remove, temp_pass, requested_by, status, created_at, expires_at)
			VALUES (7, 1, 1, 'reset', 'totp', 1, 1, 'approved', 1, 2)`,
		`INSERT INTO temp_passes (id, customer_id, case_id, staff_id, request_id, pass_hash, created_at, expires_at, enrolled_at)
			VALUES (3, 1, 1, 1, 7, 'h', 1, 2, 5)`,
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
	var request, enrolled int64
	if err := db.sql.QueryRowContext(ctx, `SELECT p.request_id, p.enrolled_at FROM temp_passes p
		JOIN action_requests r ON r.id = p.request_id WHERE p.id = 3`).Scan(&request, &enrolled); err != nil || request != 7 || enrolled != 5 {
		t.Fatalf("pass after migration: request %d enrolled %d %v", request, enrolled, err)
	}
	if err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.CreateRequest(ctx, &ActionRequest{CaseID: 1, CustomerID: 1, Kind: RequestPassword, TempPass: true,
			RequestedBy: 1, ExpiresAt: tx.Now().Add(time.Hour)}); err != nil {
			return err
		}
		_, err := tx.CreateTempPass(ctx, &TempPass{CustomerID: 1, CaseID: 1, StaffID: 1, RequestID: 7, PassHash: "h2",
			ExpiresAt: tx.Now().Add(time.Hour)})
		return err
	}); err != nil {
		t.Fatalf("after migration: %v", err)
	}
	var fkProblems int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&fkProblems); err != nil || fkProblems != 0 {
		t.Fatalf("foreign key check: %d %v", fkProblems, err)
	}
}
