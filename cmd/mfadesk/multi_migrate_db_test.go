package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
)

// mfadesk migrate-db moves a demo installation with some activity (logins,
// wrong passwords, a console case, queued messages) from its SQLite file
// to an empty PostgreSQL database: counts equal table by table, the audit
// chain verifies there with the migration as its newest event, new rows
// get new ids, and a second run refuses the now non-empty target.
func TestMultiMigrateDBFromSQLite(t *testing.T) {
	dsn := multiDSN(t)
	// The source is a SQLite file whatever MFADESK_TEST_DB says.
	source := filepath.Join(t.TempDir(), "source.db")
	a := newConsoleApp(t, func(c *Config) { c.DB = source })
	loggedInClient(t, a, "demo-app")
	loggedInClient(t, a, "demo-sms")
	a.newClient().login("demo-email", "wrong password")
	staff := a.staffLogin("agent")
	kase := staff.openCase(a.customerID("demo-email"), "phone")
	if p := staff.post(kase+"/notes", url.Values{"body": {"電話で本人確認の予定"}}); p.status != http.StatusSeeOther {
		t.Fatalf("case note: %d", p.status)
	}
	ctx := context.Background()
	src, err := a.DB.VerifyAuditChain(ctx, []*data.AuditKey{a.DB.AuditKey()})
	if err != nil || src.BrokenID != 0 || src.Events < 5 {
		t.Fatalf("source chain %+v, %v", src, err)
	}
	var customers int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&customers); err != nil {
		t.Fatal(err)
	}
	a.App.Close() // the service is stopped for the move

	noEnv := func(string) string { return "" }
	var out bytes.Buffer
	if err := run([]string{"migrate-db", "--from", "sqlite:" + a.Config.DB, "--to", dsn}, noEnv, &out, &out); err != nil {
		t.Fatalf("migrate-db: %v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, want := range []string{"counts equal", "audit chain intact", "customers"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}

	dst, err := data.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	dst.SetAuditKey(a.DB.AuditKey())
	var n int
	if err := dst.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n); err != nil || n != customers {
		t.Errorf("customers on the target: %d, %v; source %d", n, err, customers)
	}
	events, err := dst.AuditEvents(ctx, data.AuditFilter{Limit: 1})
	if err != nil || len(events) != 1 || events[0].Action != "database.migrate" || events[0].ID != src.LastID+1 {
		t.Fatalf("newest event on the target: %+v, %v (source's last id %d)", events, err, src.LastID)
	}
	// Identity sequences were moved past the copied ids: new rows insert.
	if err := dst.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "test", Action: "test.after_migrate", Outcome: "success"})
	}); err != nil {
		t.Fatalf("a new audit event on the target: %v", err)
	}
	out.Reset()
	if err := run([]string{"audit", "verify", "--db", dsn}, noEnv, &out, &out); err != nil || !strings.Contains(out.String(), "audit chain intact") {
		t.Errorf("audit verify on the target: %v\n%s", err, out.String())
	}

	out.Reset()
	err = run([]string{"migrate-db", "--from", "sqlite:" + a.Config.DB, "--to", dsn}, noEnv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second migrate-db onto the same target: %v", err)
	}
}

// A copy that fails part way (here a name holding a NUL byte, which
// SQLite stores and PostgreSQL's text refuses) leaves the target as it
// was: empty, so the same command succeeds once the row is fixed.
func TestMultiMigrateDBFailureWritesNothing(t *testing.T) {
	dsn := multiDSN(t)
	// The source is a SQLite file whatever MFADESK_TEST_DB says.
	a := newTestApp(t, func(c *Config) { c.DB = filepath.Join(t.TempDir(), "source.db") })
	ctx := context.Background()
	if _, err := a.DB.ExecContext(ctx, `UPDATE customers SET name_kanji = 'デモ' || char(0) || '太郎' WHERE login_id = 'demo-sms'`); err != nil {
		t.Fatal(err)
	}
	a.App.Close()
	noEnv := func(string) string { return "" }
	var out bytes.Buffer
	err := run([]string{"migrate-db", "--from", "sqlite:" + a.Config.DB, "--to", dsn}, noEnv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("migrate-db with a row PostgreSQL refuses: %v", err)
	}
	t.Logf("refused: %v", err)
	dst, err := data.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	var n int
	if err := dst.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM audit_events)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("target after the failed copy: %d rows, %v", n, err)
	}

	src, err := data.Open(ctx, a.Config.DB, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.ExecContext(ctx, `UPDATE customers SET name_kanji = 'デモ 太郎' WHERE login_id = 'demo-sms'`); err != nil {
		t.Fatal(err)
	}
	src.Close()
	if err := run([]string{"migrate-db", "--from", "sqlite:" + a.Config.DB, "--to", dsn}, noEnv, &out, &out); err != nil {
		t.Fatalf("migrate-db after the fix: %v", err)
	}
}
