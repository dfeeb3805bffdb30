package data

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Numbers stored domestically before phone numbers were kept in E.164 are
// converted, wherever a code or notice could still go to them, and the
// customer is still found by the number as staff type it.
func TestPhoneMigrationToE164(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sdb := migratedBelow(t, path, "0018")
	for _, q := range []string{
		`INSERT INTO customers (id, account_number, login_id, name_kanji, name_kana, birth_date, phone,
			password_hash, trading_password_hash, created_at, updated_at)
			VALUES (1, '1000001', 'a', '山田 太郎', 'ヤマダ タロウ', '1950-04-01', '090-0000-0001', 'x', 'x', 1, 1),
			       (2, '1000002', 'b', '佐藤 花子', 'サトウ ハナコ', '1950-04-01', '03-0000-0004', 'x', 'x', 1, 1),
			       (3, '1000003', 'c', '鈴木 一郎', 'スズキ イチロウ', '1950-04-01', 'unknown', 'x', 'x', 1, 1)`,
		`INSERT INTO factors (customer_id, kind, phone, created_at) VALUES (1, 'sms', '090-0000-0001', 1)`,
		`INSERT INTO challenges (customer_id, session_hash, purpose, channel, destination, code_hash, created_at, expires_at)
			VALUES (1, 's', 'contact_phone', 'sms', '080-1234-5678', 'h', 1, 2)`,
		`INSERT INTO outbox (kind, channel, recipient, subject, body, status, attempts, created_at, updated_at)
			VALUES ('login_code', 'sms', '090-0000-0001', '', 'b', 'queued', 0, 1, 1),
			       ('login_code', 'sms', '090-0000-0001', '', 'b', 'sent', 1, 1, 1)`,
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

	read := func(q string) []string {
		t.Helper()
		rows, err := db.sql.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	for q, want := range map[string][]string{
		`SELECT phone FROM customers ORDER BY id`:                                 {"+819000000001", "+81300000004", "unknown"},
		`SELECT phone FROM factors`:                                               {"+819000000001"},
		`SELECT destination FROM challenges`:                                      {"+818012345678"},
		`SELECT recipient FROM outbox ORDER BY id`:                                {"+819000000001", "090-0000-0001"}, // a sent one is history
		`SELECT key FROM customer_search WHERE customer_id = 1 AND key GLOB '0*'`: {"09000000001"},
	} {
		if got := read(q); !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
	for _, typed := range []string{"090-0000-0001", "+81 90 0000 0001", "03-0000-0004"} {
		found, err := db.SearchCustomers(ctx, SearchKey(typed), 10)
		if err != nil || len(found) != 1 {
			t.Errorf("search %q after the migration: %+v, %v", typed, found, err)
		}
	}
}
