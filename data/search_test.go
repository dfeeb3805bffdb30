package data

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mfadesk/pgtest"
)

func addSearchCustomers(t testing.TB, db *DB) {
	t.Helper()
	ctx := context.Background()
	customers := []Customer{
		{AccountNumber: "1000001", LoginID: "demo-app", NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ",
			BirthDate: "1950-04-01", Email: "Demo-App@example.jp", EmailStatus: "verified", Phone: "+819000000001"},
		{AccountNumber: "1000002", LoginID: "sato", NameKanji: "佐藤　花子", NameKana: "サトウ　ハナコ",
			BirthDate: "1948-11-23", EmailStatus: "none"},
	}
	if err := db.InTx(ctx, func(tx *Tx) error {
		for _, c := range customers {
			c.PasswordHash, c.TradingPasswordHash = "x", "x"
			if _, err := tx.CreateCustomer(ctx, &c); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSearchCustomers(t *testing.T) {
	db := openTestDB(t)
	addSearchCustomers(t, db)
	tests := []struct {
		query string
		want  string // account numbers found, comma-separated
	}{
		{"1000001", "1000001"},
		{"100000", "1000001,1000002"},
		{"demo-app", "1000001"},
		{"ＤＥＭＯ－ＡＰＰ", "1000001"},
		{"山田", "1000001"},
		{"山田 太郎", "1000001"},
		{"太郎", "1000001"},
		{"やまだ", "1000001"},
		{"ﾔﾏﾀﾞ ﾀﾛｳ", "1000001"},
		{"ハナコ", "1000002"},
		{"佐藤花子", "1000002"},
		{"090-0000-0001", "1000001"},
		{"０９０－００００－０００１", "1000001"},
		{"090−0000−0001", "1000001"}, // U+2212 minus sign
		{"+81 90-0000-0001", "1000001"},
		{"+819000000001", "1000001"},
		{"090-0000", "1000001"},
		{"demo-app@example.jp", "1000001"},
		{"鈴木", ""},
		{"1", ""}, // too short to search
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			found, err := db.SearchCustomers(context.Background(), SearchKey(tt.query), 50)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range found {
				got = append(got, c.AccountNumber)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("found %v, want %s", got, tt.want)
			}
		})
	}
}

// The index follows changes to a customer's contact data.
func TestSearchIndexFollowsUpdates(t *testing.T) {
	db := openTestDB(t)
	addSearchCustomers(t, db)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `UPDATE customers SET email = 'new@example.jp' WHERE account_number = '1000001'`); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"demo-app@example.jp": 0, "new@example.jp": 1, "山田": 1} {
		found, err := db.SearchCustomers(ctx, SearchKey(q), 50)
		if err != nil || len(found) != want {
			t.Errorf("%s: found %d (%v), want %d", q, len(found), err, want)
		}
	}
}

// The search reads a range of the index, stopping at the limit, and looks
// customers up by id: no scan of either table, and no sort for ORDER BY
// (a TEMP B-TREE would mean reading every match before returning 50).
func TestSearchUsesIndex(t *testing.T) {
	pgtest.SkipOnPostgres(t, "SQLite query plan")
	db := openTestDB(t)
	rows, err := db.sql.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+searchCustomersQuery, "a", "b", 50)
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
	p := strings.Join(plan, "; ")
	if !strings.Contains(p, "SEARCH customer_search USING PRIMARY KEY") ||
		!strings.Contains(p, "SEARCH customers USING INTEGER PRIMARY KEY") ||
		strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("plan %q is not an index range and lookups by id", p)
	}
}

// More matches than the limit: the first ones by key, listed by id, with
// what a result list shows and none of the customer's secrets.
func TestSearchCustomersLimitAndFields(t *testing.T) {
	db := openTestDB(t)
	addSearchCustomers(t, db)
	found, err := db.SearchCustomers(context.Background(), SearchKey("100000"), 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("found %d (%v), want 1", len(found), err)
	}
	got := found[0]
	want := CustomerMatch{ID: got.ID, AccountNumber: "1000001", NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ",
		Email: "Demo-App@example.jp", Phone: "+819000000001"}
	if got.ID == 0 || got != want {
		t.Errorf("found %+v, want %+v", got, want)
	}
}

// generateCustomers inserts n customers with one INSERT … SELECT over a
// recursive CTE; the triggers index them as any insert would.
func generateCustomers(b *testing.B, db *DB, n int) {
	b.Helper()
	_, err := db.ExecContext(context.Background(), `
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO customers (account_number, login_id, name_kanji, name_kana, birth_date, email, email_status,
			phone, phone_verified, password_hash, trading_password_hash, created_at, updated_at)
		SELECT printf('%08d', 20000000 + i), 'user' || i,
			json_extract('["山田","佐藤","鈴木","高橋","田中","伊藤","渡辺","中村","小林","加藤"]', '$[' || (i % 10) || ']')
				|| ' ' || json_extract('["太郎","花子","一郎","正子","次郎","陽子","三郎","和子"]', '$[' || (i / 10 % 8) || ']'),
			json_extract('["ヤマダ","サトウ","スズキ","タカハシ","タナカ","イトウ","ワタナベ","ナカムラ","コバヤシ","カトウ"]', '$[' || (i % 10) || ']')
				|| ' ' || json_extract('["タロウ","ハナコ","イチロウ","マサコ","ジロウ","ヨウコ","サブロウ","カズコ"]', '$[' || (i / 10 % 8) || ']'),
			printf('19%02d-%02d-%02d', 30 + i % 60, 1 + i % 12, 1 + i % 28),
			'user' || i || '@example.jp', 'verified', printf('090-%04d-%04d', i / 10000, i % 10000), 1, 'x', 'x', 0, 0
		FROM seq`, n)
	if err != nil {
		b.Fatalf("generate %d customers: %v", n, err)
	}
}

// searchBenchQueries are the search benchmarks' keys, one of each kind,
// over n generated customers. The names are the slow kinds: 山田太郎 is
// shared by n/80 customers, サブロウ by n/8 and たなか starts the keys of
// n/10.
func searchBenchQueries(n int) []struct{ name, q string } {
	return []struct{ name, q string }{
		{"account", fmt.Sprintf("%08d", 20000000+n/2)},
		{"login", fmt.Sprintf("user%d", n/3)},
		{"kanji", "山田太郎"},
		{"given-kana", "サブロウ"},
		{"hiragana", "たなか"},
		{"phone", fmt.Sprintf("090-%04d-%04d", n/4/10000, n/4%10000)},
		{"email", fmt.Sprintf("user%d@example.jp", n-1)},
	}
}

// BenchmarkSearchMillionCustomers searches 1,000,000 customers by each
// kind of key, generated once for all of them. Run it with
//
//	go test ./data -run '^$' -bench SearchMillion
//
// (-short generates 10,000 instead, to check that it works).
func BenchmarkSearchMillionCustomers(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	db := openBenchDB(b)
	generateCustomers(b, db, n)
	ctx := context.Background()
	for _, q := range searchBenchQueries(n) {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				found, err := db.SearchCustomers(ctx, SearchKey(q.q), 50)
				if err != nil || len(found) == 0 {
					b.Fatalf("%s: %d found, %v", q.q, len(found), err)
				}
			}
		})
	}
}
