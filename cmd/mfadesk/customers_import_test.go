package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sjis "golang.org/x/text/encoding/japanese"

	"mfadesk/data"
)

// Tests of `mfadesk customers import` (docs/security.md S71).

const importHeaderJA = "口座番号,ログインID,氏名,氏名カナ,生年月日,郵便番号,都道府県,市区町村・番地,建物名,メールアドレス,携帯電話番号,言語,口座状態,備考"

// importFile writes lines (a header and rows) as a CSV file in the
// encoding the back office's Excel may use: "utf-8", "utf-8-bom" or "sjis".
func importFile(t *testing.T, encoding string, lines ...string) string {
	t.Helper()
	raw := []byte(strings.Join(lines, "\r\n") + "\r\n")
	switch encoding {
	case "utf-8-bom":
		raw = append([]byte("\xef\xbb\xbf"), raw...)
	case "sjis":
		var err error
		if raw, err = sjis.ShiftJIS.NewEncoder().Bytes(raw); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runImport runs the command on the test app's database, as an operator would.
func runImport(a *testApp, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(append(append([]string{"customers", "import"}, args...), "--db", a.Config.DB),
		func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

// noReadCache makes the app see at once what the import command, another
// process, wrote to the database.
func noReadCache(cfg *Config) { cfg.ReadCache = false }

// tablesDigest is a digest of every row of every table but except:
// equal digests, nothing changed.
func tablesDigest(t *testing.T, a *testApp, except ...string) string {
	t.Helper()
	ctx := context.Background()
	h := sha256.New()
	for _, table := range tableNames(t, a) {
		if slices.Contains(except, table) {
			continue
		}
		r, err := a.DB.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %v\n", table, vals)
		}
		r.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tableNames lists the database's tables (SQLite's own left out).
func tableNames(t *testing.T, a *testApp) []string {
	t.Helper()
	rows, err := a.DB.QueryContext(context.Background(), tablesQuery(a.Config.DB))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return tables
}

func importedState(t *testing.T, a *testApp, account string) *data.ImportedState {
	t.Helper()
	var st *data.ImportedState
	err := a.DB.InTx(context.Background(), func(tx *data.Tx) error {
		var err error
		st, err = tx.ImportedStateByAccount(context.Background(), account)
		return err
	})
	if err != nil {
		t.Fatalf("account %s: %v", account, err)
	}
	return st
}

func TestCustomersImportUTF8AndShiftJIS(t *testing.T) {
	t.Parallel()
	for _, enc := range []string{"utf-8", "utf-8-bom", "sjis"} {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t, noReadCache)
			file := importFile(t, enc, importHeaderJA,
				"2000001,Kondo-Kei,近藤 恵,ｺﾝﾄﾞｳ ｹｲ,1955/3/9,150-0001,東京都,渋谷区神宮前1-2-3,表参道ハイツ101,kondo@example.jp,090-1111-2222,日本語,有効,VIP",
				"2000002,ono-ken,小野 健,オノ ケン,1970-12-31,,,,,ono@example.jp,,英語,有効,")
			out, errOut, err := runImport(a, file)
			if err != nil {
				t.Fatalf("import: %v\n%s", err, errOut)
			}
			wantEnc := map[string]string{"utf-8": "utf-8", "utf-8-bom": "utf-8", "sjis": "sjis"}[enc]
			for _, want := range []string{", " + wantEnc + ",", "columns not imported: 備考", "new 2, changed 0, unchanged 0, closed 0", "imported"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			st := importedState(t, a, "2000001")
			c := st.Customer
			if c.LoginID != "kondo-kei" || c.NameKanji != "近藤 恵" || c.NameKana != "コンドウ ケイ" || c.BirthDate != "1955-03-09" ||
				c.Email != "kondo@example.jp" || c.EmailStatus != "verified" || c.Phone != "+819011112222" || !c.PhoneVerified ||
				c.Lang != "ja" || st.Closed || c.PasswordHash == "" || c.TradingPasswordHash == "" {
				t.Errorf("imported customer: %+v", c)
			}
			if st.Address.Postcode != "1500001" || st.Address.Prefecture != "東京都" || st.Address.Building != "表参道ハイツ101" {
				t.Errorf("address: %+v", st.Address)
			}
			if c := importedState(t, a, "2000002").Customer; c.Lang != "en" || c.Phone != "" || c.PhoneVerified {
				t.Errorf("second customer: %+v", c)
			}
		})
	}
}

// Every bad line is reported with its number (the header is line 1) and
// reason, and nothing at all is applied, not even the good lines.
func TestCustomersImportReportsEveryBadLineAndAppliesNothing(t *testing.T) {
	t.Parallel()
	for _, enc := range []string{"utf-8", "sjis"} {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t, noReadCache)
			before := tablesDigest(t, a)
			file := importFile(t, enc, importHeaderJA,
				"2000001,good-one,近藤 恵,コンドウ ケイ,1955-03-09,,,,,kondo@example.jp,,,,",
				"2000002,bad-kana,小野 健,小野,1970-13-01,,,,,not-an-email,03-1234-5678,,,",
				"2000003,good-two,森 花,モリ ハナ,1980-01-01,999-9999,東都,港区1,,,,,,",
				"2000001,dup,林 一,ハヤシ ハジメ,1980-01-01,,,,,,,,,",
				"2000005,demo-app,林 二,ハヤシ ジ,1980-01-01,,,,,,,klingon,gone,",
				"2000006,short")
			_, errOut, err := runImport(a, file)
			if err == nil || !strings.Contains(err.Error(), "nothing changed") {
				t.Fatalf("import of bad lines: %v", err)
			}
			for _, want := range []string{
				"line 3: name_kana:", "line 3: birth_date:", "line 3: email:", "line 3: mobile:",
				"line 4: postcode: postal address:",
				"line 5: account_number: already on line 2",
				"line 6: login_id: belongs to another account", "line 6: language:", "line 6: status:",
				"line 7: has 2 fields",
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("report lacks %q:\n%s", want, errOut)
				}
			}
			if strings.Contains(errOut, "line 2:") {
				t.Errorf("good line reported:\n%s", errOut)
			}
			if after := tablesDigest(t, a); after != before {
				t.Error("a refused import changed the database")
			}
		})
	}
}

func TestCustomersImportDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	before := tablesDigest(t, a)
	file := importFile(t, "utf-8", importHeaderJA,
		"2000001,kondo,近藤 恵,コンドウ ケイ,1955-03-09,,,,,kondo@example.jp,,,,",
		"1000001,demo-app,山田 太郎,ヤマダ タロウ,1950-04-01,,,,,new-app@example.jp,,,,",
		"1000002,demo-sms,佐藤 花子,サトウ ハナコ,1948-11-23,,,,,,,,,",
		"1000003,demo-email,鈴木 一郎,スズキ イチロウ,1960-01-15,,,,,,,,解約,")
	out, errOut, err := runImport(a, file, "--dry-run")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, errOut)
	}
	for _, want := range []string{"new 1, changed 2, unchanged 1, closed 1, contacts not trusted 1", "dry run: nothing changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if after := tablesDigest(t, a); after != before {
		t.Error("a dry run changed the database")
	}
}

// Importing the same file again changes no customer: the only new row
// anywhere is the import's own summary audit event.
func TestCustomersImportTwiceIsUnchanged(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	file := importFile(t, "sjis", importHeaderJA,
		"2000001,kondo,近藤 恵,コンドウ ケイ,1955-03-09,150-0001,東京都,渋谷区神宮前1-2-3,,kondo@example.jp,09011112222,,,",
		"1000001,demo-app,山田 太郎,ヤマダ タロウ,1950-04-01,100-0005,東京都,千代田区丸の内1-1-1,丸の内デモビル 12階,demo-app@example.jp,,,,",
		"2000003,closed-one,森 花,モリ ハナ,1980-01-01,,,,,,,,解約,")
	if _, errOut, err := runImport(a, file); err != nil {
		t.Fatalf("first import: %v\n%s", err, errOut)
	}
	auditBefore := countRows(t, a, "audit_events")
	before := tablesDigest(t, a, "audit_events")
	out, errOut, err := runImport(a, file)
	if err != nil {
		t.Fatalf("second import: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "new 0, changed 0, unchanged 3, closed 0") {
		t.Errorf("second import: %s", out)
	}
	if after := tablesDigest(t, a, "audit_events"); after != before {
		t.Error("the same file imported again changed the database")
	}
	if n := countRows(t, a, "audit_events"); n != auditBefore+1 {
		t.Errorf("audit events: %d then %d, want one summary event", auditBefore, n)
	}
	var detail string
	if err := a.DB.QueryRowContext(context.Background(), `SELECT detail FROM audit_events WHERE action = 'customers.import' ORDER BY id DESC LIMIT 1`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	sum := sha256.Sum256(raw)
	if !strings.Contains(detail, "sha256="+hex.EncodeToString(sum[:])) || !strings.Contains(detail, "file=customers.csv") {
		t.Errorf("summary audit event: %s", detail)
	}
}

func countRows(t *testing.T, a *testApp, table string) int {
	t.Helper()
	var n int
	if err := a.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
