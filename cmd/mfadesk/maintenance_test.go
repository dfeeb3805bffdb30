package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// A mistyped --db must not create an empty database and report success
// (docs/operations.md, Maintenance commands).
func TestMaintenanceRefusesMissingDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "mfadesk-typo.db")
	for _, args := range [][]string{
		{"audit", "verify", "--db", missing},
		{"staff", "list", "--db", missing},
		{"staff", "create", "--login", "sato", "--role", "agent", "--org", "support", "--db", missing},
		{"staff", "org", "--id", "shop-x", "--name", "X", "--db", missing},
		{"rekey", "--old-key", "dev", "--new-key", productionKey, "--db", missing},
		{"backup", "--db", missing, "--to", filepath.Join(dir, "backup.db")},
	} {
		_, err := runCommand(args...)
		if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), missing) {
			t.Errorf("%v: %v", args[:2], err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("%v created %s", args[:2], entries[0].Name())
		}
	}
	// migrate creates the database; then the maintenance commands run.
	if _, err := runCommand("migrate", "--db", missing); err != nil {
		t.Fatal(err)
	}
	if out, err := runCommand("audit", "verify", "--db", missing); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify after migrate: %q %v", out, err)
	}
}

// An older binary refuses a database migrated by a newer one, naming the
// versions it does not know, and changes nothing.
func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	path := pgtest.DSN(t, filepath.Join(t.TempDir(), "mfadesk.db"))
	if _, err := runCommand("migrate", "--db", path); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := data.Open(ctx, path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"9998_future_a", "9999_future_b"} {
		if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, v); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, data.ErrNewerSchema) || !strings.Contains(err.Error(), "9998_future_a, 9999_future_b") {
			t.Errorf("%s: %v", what, err)
		}
	}
	for _, args := range [][]string{{"migrate"}, {"audit", "verify"}, {"staff", "list"},
		{"rekey", "--old-key", "dev", "--new-key", productionKey}} {
		_, err := runCommand(append(args, "--db", path)...)
		check(strings.Join(args, " "), err)
	}
	cfg := testConfig(t)
	cfg.DB = path
	_, err = newApp(ctx, cfg, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	check("serve", err)
}

// Backups hold personal data: owner-only, and an existing file is kept
// unless --force.
func TestBackupOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which left backups world-readable
	defer syscall.Umask(old)
	dir := t.TempDir()
	db, to := filepath.Join(dir, "mfadesk.db"), filepath.Join(dir, "backup.db")
	if _, err := runCommand("migrate", "--db", db); err != nil {
		t.Fatal(err)
	}
	mode := func() os.FileMode {
		t.Helper()
		info, err := os.Stat(to)
		if err != nil {
			t.Fatal(err)
		}
		return info.Mode().Perm()
	}
	if _, err := runCommand("backup", "--db", db, "--to", to); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("backup mode %v, want 0600", m)
	}
	if err := os.Chmod(to, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runCommand("backup", "--db", db, "--to", to); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("overwrite without --force: %v", err)
	}
	if m := mode(); m != 0o644 {
		t.Errorf("a refused backup changed the file (mode %v)", m)
	}
	if _, err := runCommand("backup", "--db", db, "--to", to, "--force"); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if m := mode(); m != 0o600 {
		t.Errorf("replaced backup mode %v, want 0600", m)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "partial") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
