package data

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// adoptionCountsScan is the count by walking every customer, as the
// report did before the counts were kept (0030_adoption_counts.sql): the
// reference the kept counts must always equal.
const adoptionCountsScan = `SELECT category, COUNT(*) FROM (
	SELECT CASE
		WHEN COUNT(p.customer_id) > 0 THEN 'passkey'
		WHEN MAX(CASE WHEN f.kind = 'totp' THEN 1 ELSE 0 END) = 1 THEN 'app'
		WHEN MAX(CASE WHEN f.kind = 'sms' THEN 1 ELSE 0 END) = 1 THEN 'sms'
		WHEN c.email <> '' AND c.email_status = 'verified' THEN 'email'
		ELSE 'no_email' END AS category
	FROM customers c
	LEFT JOIN factors f ON f.customer_id = c.id AND f.use_login = 1 AND f.confirmed_at > 0
	LEFT JOIN passkeys p ON p.customer_id = c.id AND p.use_login = 1 AND p.cloned = 0
	GROUP BY c.id
) AS per_customer GROUP BY category`

// Every kind of change that can move a customer between categories, in
// and out of transactions, keeps the counts equal to a full walk.
func TestAdoptionCountsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	db, err := Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	ids := map[string]int64{}
	customer := func(name, email, status string) func(*Tx) error {
		return func(tx *Tx) error {
			id, err := tx.CreateCustomer(ctx, &Customer{AccountNumber: "1" + name, LoginID: name, NameKanji: "試験",
				NameKana: "シケン", BirthDate: "1960-01-01", Email: email, EmailStatus: status, PasswordHash: "x", TradingPasswordHash: "x"})
			ids[name] = id
			return err
		}
	}
	factor := func(name, kind string, login bool, confirmed bool) func(*Tx) error {
		return func(tx *Tx) error {
			f := &Factor{CustomerID: ids[name], Kind: kind, UseLogin: login, LastStep: -1}
			if confirmed {
				f.ConfirmedAt = now
			}
			_, err := tx.CreateFactor(ctx, f)
			return err
		}
	}
	passkey := func(name string, n int) func(*Tx) error {
		return func(tx *Tx) error {
			_, err := tx.CreatePasskey(ctx, &Passkey{CustomerID: ids[name], CredentialID: []byte(fmt.Sprint(name, n)),
				CredentialJSON: "{}", Name: "key", UseLogin: true, UseAccount: true, UseWithdrawal: true})
			return err
		}
	}
	exec := func(query string, name string) func(*Tx) error {
		return func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, query, ids[name])
			return err
		}
	}
	steps := []struct {
		name string
		do   []func(*Tx) error
	}{
		{"customers of each kind", []func(*Tx) error{customer("a", "a@example.jp", "verified"), customer("b", "", "none"),
			customer("c", "c@example.jp", "unverified"), customer("d", "d@example.jp", "verified")}},
		{"pending app does not count", []func(*Tx) error{factor("a", "totp", true, false)}},
		{"app confirmed", []func(*Tx) error{exec(`UPDATE factors SET confirmed_at = 1 WHERE customer_id = ?`, "a")}},
		{"SMS not for login", []func(*Tx) error{factor("b", "sms", false, true)}},
		{"SMS ticked for login", []func(*Tx) error{exec(`UPDATE factors SET use_login = 1 WHERE customer_id = ?`, "b")}},
		{"app and SMS: app", []func(*Tx) error{factor("b", "totp", true, true)}},
		{"passkey beats all", []func(*Tx) error{passkey("a", 1), passkey("a", 2)}},
		{"one passkey cloned", []func(*Tx) error{exec(`UPDATE passkeys SET cloned = 1 WHERE id = (SELECT MIN(id) FROM passkeys WHERE customer_id = ?)`, "a")}},
		{"both cloned", []func(*Tx) error{exec(`UPDATE passkeys SET cloned = 1 WHERE customer_id = ?`, "a")}},
		{"signature counter alone", []func(*Tx) error{exec(`UPDATE passkeys SET sign_count = sign_count + 1 WHERE customer_id = ?`, "a")}},
		{"replay guard alone", []func(*Tx) error{exec(`UPDATE factors SET last_step = last_step + 1 WHERE customer_id = ?`, "b")}},
		{"email verified", []func(*Tx) error{exec(`UPDATE customers SET email_status = 'verified' WHERE id = ?`, "c")}},
		{"email emptied", []func(*Tx) error{exec(`UPDATE customers SET email = '' WHERE id = ?`, "d")}},
		{"reset removes factors", []func(*Tx) error{exec(`DELETE FROM factors WHERE customer_id = ?`, "b")}},
		{"passkeys removed", []func(*Tx) error{exec(`DELETE FROM passkeys WHERE customer_id = ?`, "a")}},
		{"factor moved to another customer", []func(*Tx) error{factor("c", "sms", true, true),
			exec(`UPDATE factors SET customer_id = ? WHERE kind = 'sms'`, "d")}},
		{"customer deleted with factors and passkeys", []func(*Tx) error{passkey("d", 1), exec(`DELETE FROM customers WHERE id = ?`, "d")}},
		{"several changes in one transaction", []func(*Tx) error{customer("e", "", "none"), factor("e", "sms", true, true),
			passkey("e", 1), exec(`UPDATE passkeys SET use_login = 0 WHERE customer_id = ?`, "e")}},
	}
	for _, step := range steps {
		err := db.InTx(ctx, func(tx *Tx) error {
			for _, do := range step.do {
				if err := do(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		kept, err := db.AdoptionCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		walked, err := scanAdoptionCounts(ctx, db, adoptionCountsScan)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(kept, walked) {
			t.Errorf("after %s: kept %v, a full walk counts %v", step.name, kept, walked)
		}
	}
	var pending int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM adoption_recount`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d rows left in adoption_recount (%v), want none", pending, err)
	}
	// A rolled-back change leaves the counts as they were.
	before, _ := db.AdoptionCounts(ctx)
	_ = db.InTx(ctx, func(tx *Tx) error {
		if err := passkey("c", 9)(tx); err != nil {
			return err
		}
		return fmt.Errorf("roll back")
	})
	if after, _ := db.AdoptionCounts(ctx); !maps.Equal(before, after) {
		t.Errorf("rolled back: %v, was %v", after, before)
	}
}

// A database with customers before the counts were kept gets them counted
// by the migration itself.
func TestAdoptionCountsMigrationCountsExistingCustomers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sdb := migratedBelow(t, path, "0030")
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date, email, email_status,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '試験', 'シケン', '1950-04-01', 'a@example.jp', 'verified', 'x', 'x', 1, 1),
			       (2, '1000002', 'b', '試験', 'シケン', '1950-04-01', '', 'none', 'x', 'x', 1, 1),
			       (3, '1000003', 'c', '試験', 'シケン', '1950-04-01', 'c@example.jp', 'verified', 'x', 'x', 1, 1),
			       (4, '1000004', 'd', '試験', 'シケン', '1950-04-01', '', 'none', 'x', 'x', 1, 1)`,
		`INSERT INTO factors (customer_id, kind, use_login, created_at, confirmed_at) VALUES (3, 'totp', 1, 1, 1), (4, 'sms', 1, 1, 0)`,
		`INSERT INTO passkeys (customer_id, credential_id, credential_json, name, created_at) VALUES (2, x'01', '{}', 'k', 1)`,
	} {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()
	db, err := Open(ctx, path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.AdoptionCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{AdoptionPasskey: 1, AdoptionApp: 1, AdoptionSMS: 0, AdoptionEmail: 1, AdoptionNoEmail: 1}
	if !maps.Equal(got, want) {
		t.Errorf("counts after the migration %v, want %v", got, want)
	}
}
