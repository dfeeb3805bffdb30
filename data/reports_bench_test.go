package data

import (
	"context"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// addAdoptionMix gives the generated customers (generateCustomers, all
// with a verified email) a realistic mix: a third the app, a fifth SMS
// (some both), one in eleven a passkey, one in seven no valid email.
func addAdoptionMix(b *testing.B, db *DB) {
	b.Helper()
	for _, q := range []string{
		`UPDATE customers SET email = '', email_status = 'none' WHERE id % 7 = 1`,
		`INSERT INTO factors (customer_id, kind, use_login, use_account, use_withdrawal, created_at, confirmed_at)
			SELECT id, 'totp', 1, 1, 1, 1, 1 FROM customers WHERE id % 3 = 0`,
		`INSERT INTO factors (customer_id, kind, phone, use_login, use_account, use_withdrawal, created_at, confirmed_at)
			SELECT id, 'sms', phone, 1, 1, 1, 1, 1 FROM customers WHERE id % 5 = 0`,
		`INSERT INTO passkeys (customer_id, credential_id, credential_json, name, created_at)
			SELECT id, randomblob(16), '{}', 'key', 1 FROM customers WHERE id % 11 = 0`,
	} {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			b.Fatalf("adoption mix: %v", err)
		}
	}
}

// BenchmarkAdoptionSnapshotMillion counts and stores the adoption of
// 1,000,000 customers, as the daily snapshot and each view of the
// adoption report do, and pages the no-email lockout list. Run it with
//
//	go test ./data -run '^$' -bench AdoptionSnapshotMillion
//
// (-short generates 10,000 instead, to check that it works).
func BenchmarkAdoptionSnapshotMillion(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DSN(b, filepath.Join(b.TempDir(), "bench.db")), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	generateCustomers(b, db, n)
	addAdoptionMix(b, db)
	b.Run("snapshot", func(b *testing.B) {
		for b.Loop() {
			counts, err := db.RecordAdoptionSnapshot(ctx, "2026-01-31")
			if err != nil {
				b.Fatal(err)
			}
			total := 0
			for _, c := range counts {
				total += c
			}
			if total != n {
				b.Fatalf("counted %d customers, want %d", total, n)
			}
		}
	})
	// The walk over every customer the kept counts replace: the figure
	// they save, and a check that they agree on this mix.
	b.Run("full-walk", func(b *testing.B) {
		for b.Loop() {
			walked, err := scanAdoptionCounts(ctx, db, adoptionCountsScan)
			if err != nil {
				b.Fatal(err)
			}
			if kept, err := db.AdoptionCounts(ctx); err != nil || !maps.Equal(kept, walked) {
				b.Fatalf("kept %v, walked %v (%v)", kept, walked, err)
			}
		}
	})
	b.Run("lockout-page", func(b *testing.B) {
		for b.Loop() {
			page, err := db.LockoutCustomers(ctx, LockoutNoEmail, 0, 50)
			if err != nil || len(page) == 0 {
				b.Fatalf("lockout page: %d, %v", len(page), err)
			}
		}
	})
}

// The no-email lockout list reads the partial index of customers without
// a valid address, not every customer.
func TestLockoutNoEmailUsesIndex(t *testing.T) {
	pgtest.SkipOnPostgres(t, "SQLite query plan")
	db := openTestDB(t)
	q, err := lockoutQuery(LockoutNoEmail)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.sql.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "customers_no_valid_email") {
		t.Errorf("plan %q does not use the no-valid-email index", p)
	}
}
