package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// runCommand runs the mfadesk command line with no environment.
func runCommand(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// reopen serves the database of a with another key (and old keys), on
// a's clock.
func reopen(t *testing.T, a *testApp, key []byte, old ...[]byte) *testApp {
	t.Helper()
	cfg := a.Config
	cfg.SecretKey, cfg.OldSecretKeys = key, old
	app, err := newApp(context.Background(), cfg, a.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &testApp{App: app, t: t, srv: srv, clock: a.clock}
}

func TestRekey(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	newKey := randomKey(t)
	out, err := runCommand("rekey", "--db", a.Config.DB, "--old-key", "dev", "--new-key", hex.EncodeToString(newKey))
	if err != nil {
		t.Fatalf("rekey: %v", err)
	}
	if !strings.Contains(out, "re-encrypted") {
		t.Errorf("output %q", out)
	}
	// Under the old key the app can no longer read the authenticator.
	a.clock.Advance(30 * time.Second)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location == "/home" {
		t.Fatal("TOTP still opens with the old key after the rekey")
	}
	// Under the new key customers and staff log in with the same apps.
	b := reopen(t, a, newKey)
	b.clock.Advance(30 * time.Second)
	if p := pendingClient(t, b, "demo-app").submitCode(b.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatalf("customer TOTP after the rekey: %d %q", p.status, p.location)
	}
	b.staffLogin("agent")

	for _, tt := range []struct{ name, old, new string }{
		{"again with the old key", "dev", hex.EncodeToString(newKey)},
		{"same key", hex.EncodeToString(newKey), hex.EncodeToString(newKey)},
		{"to the development key", hex.EncodeToString(newKey), "dev"},
		{"bad key", "dev", "not-a-key"},
		{"patterned key", "dev", strings.Repeat("07", 32)},
	} {
		if _, err := runCommand("rekey", "--db", a.Config.DB, "--old-key", tt.old, "--new-key", tt.new); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	// The refused runs changed nothing.
	b.clock.Advance(30 * time.Second)
	if p := pendingClient(t, b, "demo-app").submitCode(b.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatal("a refused rekey changed the secrets")
	}
}

func TestBackupWhileServing(t *testing.T) {
	pgtest.SkipOnPostgres(t, "mfadesk backup copies a SQLite file")
	t.Parallel()
	a := newTestApp(t)
	pendingClient(t, a, "demo-email") // the app is live and has written
	to := filepath.Join(t.TempDir(), "backup.db")
	if _, err := runCommand("backup", "--db", a.Config.DB, "--to", to); err != nil {
		t.Fatalf("backup: %v", err)
	}
	ctx := context.Background()
	copyDB, err := data.Open(ctx, to, a.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	want, _ := a.DB.CountCustomers(ctx)
	got, err := copyDB.CountCustomers(ctx)
	if err != nil || got != want || got == 0 {
		t.Errorf("backup has %d customers (%v), live has %d", got, err, want)
	}
	msgs, _ := copyDB.RecentMessages(ctx, 10)
	if len(msgs) != 1 {
		t.Errorf("backup has %d messages, want the login code", len(msgs))
	}
	if _, err := runCommand("backup", "--db", a.Config.DB, "--to", to); err == nil {
		t.Error("backup overwrote an existing file")
	}
	if _, err := runCommand("backup", "--db", filepath.Join(t.TempDir(), "missing.db"), "--to", to+"2"); err == nil {
		t.Error("backup of a missing database succeeded")
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	resp, err := http.Get(a.srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	a.DB.Close() // the database goes away
	resp, err = http.Get(a.srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz without a database: %v %v", resp, err)
	}
	resp.Body.Close()
}

// randomKey is a secret key as an operator makes one (patterned keys are refused).
func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}
