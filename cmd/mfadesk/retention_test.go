package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
)

// placesHolding scans every text and blob column of every table for s and
// names where it is (table.column).
func placesHolding(t *testing.T, a *testApp, s string) []string {
	t.Helper()
	ctx := context.Background()
	var found []string
	for _, table := range tableNames(t, a) {
		rows, err := a.DB.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var text string
				switch v := v.(type) {
				case string:
					text = v
				case []byte:
					text = string(v)
				}
				if strings.Contains(text, s) {
					found = append(found, table+"."+cols[i])
				}
			}
		}
		rows.Close()
	}
	return found
}

// backupHolds takes an online backup, as an operator does, and reports
// whether its bytes hold s anywhere. On PostgreSQL, where backups are
// pg_dump's, it reports whether any row holds s.
func backupHolds(t *testing.T, a *testApp, s string) bool {
	t.Helper()
	if data.IsPostgresDSN(a.Config.DB) {
		return len(placesHolding(t, a, s)) > 0
	}
	to := filepath.Join(t.TempDir(), "backup.db")
	if _, err := runCommand("backup", "--db", a.Config.DB, "--to", to); err != nil {
		t.Fatalf("backup: %v", err)
	}
	b, err := os.ReadFile(to)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}

func devOutboxShows(a *testApp, code string) bool {
	for _, m := range a.outbox() {
		if strings.Contains(m.Subject+m.Body, code) {
			return true
		}
	}
	return false
}

// In dev delivery the dev outbox is how a developer reads a code: it
// shows it until the code is used, replaced or expired, then nothing in
// the database or a backup holds it.
func TestDevOutboxShowsCodeUntilItIsUsedOrExpires(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()

	used := pendingClient(t, a, "demo-email")
	code := a.lastCode("demo-email@example.jp")
	if !devOutboxShows(a, code) || !backupHolds(t, a, code) {
		t.Fatal("a code waiting to be used is not in the dev outbox and the database")
	}
	if p := used.submitCode(code); p.location != "/home" {
		t.Fatalf("login: %d %q", p.status, p.location)
	}
	if devOutboxShows(a, code) {
		t.Error("the dev outbox still shows a used code")
	}
	if where := placesHolding(t, a, code); len(where) > 0 {
		t.Errorf("used code still in %v", where)
	}

	replaced := pendingClient(t, a, "demo-sms")
	old := a.lastCode("090-0000-0002")
	a.clock.Advance(61 * time.Second)
	if p := replaced.post("/login/resend", nil); p.location != "/login/verify?notice=sent" {
		t.Fatalf("resend: %q", p.location)
	}
	fresh := a.lastCode("090-0000-0002")
	if fresh == old {
		t.Skip("the two random codes collided")
	}
	if devOutboxShows(a, old) || !devOutboxShows(a, fresh) {
		t.Errorf("after a resend the dev outbox shows the old code %v, the new %v", devOutboxShows(a, old), devOutboxShows(a, fresh))
	}

	a.clock.Advance(a.Config.MFA.CodeTTL)
	if err := a.sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if devOutboxShows(a, fresh) {
		t.Error("the dev outbox still shows an expired code after the sweep")
	}
	if where := placesHolding(t, a, fresh); len(where) > 0 {
		t.Errorf("expired code still in %v", where)
	}
	if backupHolds(t, a, code) || backupHolds(t, a, fresh) {
		t.Error("a backup holds a used or expired code")
	}
	// The code messages stay, without their codes, for the delivery log.
	msgs, err := a.DB.RecentMessages(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	codes := 0
	for _, m := range msgs {
		if m.Kind != "login_code" {
			continue
		}
		codes++
		if m.Body != data.ScrubbedBody || m.To == "" || (m.Channel == "email" && m.Subject == "") {
			t.Errorf("scrubbed message %+v", m)
		}
	}
	if codes != 3 {
		t.Errorf("%d code messages in the outbox, want 3", codes)
	}
}

// Retention defaults are safe without any flag, the flags and their
// MFADESK_ variables set them, and a zero or negative one is refused.
func TestRetentionFlags(t *testing.T) {
	t.Parallel()
	none := func(string) string { return "" }
	cfg, err := parseConfig(nil, none, io.Discard)
	if err != nil || cfg.Retention != data.DefaultRetention() {
		t.Fatalf("defaults %+v, %v", cfg.Retention, err)
	}
	env := map[string]string{"MFADESK_RETAIN_OUTBOX": "720h"}
	cfg, err = parseConfig([]string{"--retain-sessions", "24h", "--retain-delivery-log", "4380h"},
		func(k string) string { return env[k] }, io.Discard)
	want := data.Retention{Sessions: 24 * time.Hour, OutboxContent: 720 * time.Hour, DeliveryLog: 4380 * time.Hour}
	if err != nil || cfg.Retention != want {
		t.Fatalf("parsed %+v, %v", cfg.Retention, err)
	}
	for _, bad := range []string{"0s", "-1h"} {
		if _, err := parseConfig([]string{"--retain-outbox", bad}, none, io.Discard); err == nil {
			t.Errorf("--retain-outbox %s accepted", bad)
		}
	}
}

// The sweep of the running app deletes what is past retention, on the
// app's clock.
func TestSweepUsesTheAppClock(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) { cfg.Retention.Sessions = time.Hour })
	pendingClient(t, a, "demo-email")
	count := func() int {
		var n int
		if err := a.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM challenges`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := a.sweep(context.Background()); err != nil || count() != 1 {
		t.Fatalf("a fresh code record swept: %d left, %v", count(), err)
	}
	a.clock.Advance(time.Hour + time.Second)
	if err := a.sweep(context.Background()); err != nil || count() != 0 {
		t.Fatalf("a code record past --retain-sessions kept: %d left, %v", count(), err)
	}
}

// A spoken code read back to staff on a case is scrubbed with the
// verification it passed.
func TestPossessionCodeScrubbedOnceReadBack(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-email"), "phone")
	agent.get(kase)
	if p := agent.post(kase+"/verify/spoken", url.Values{"channel": {"email"}}); p.location != kase+"?notice=code_sent" {
		t.Fatalf("send spoken code: %d %q", p.status, p.location)
	}
	code := a.lastCode("demo-email@example.jp")
	agent.get(kase)
	if p := agent.post(kase+"/verify/spoken/check", url.Values{"code": {code}}); p.location != kase+"?notice=spoken_passed" {
		t.Fatalf("possession check: %q", p.location)
	}
	if where := placesHolding(t, a, code); len(where) > 0 || devOutboxShows(a, code) {
		t.Errorf("a code read back is still in %v", where)
	}
}
