package data

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"mfadesk/pgtest"
)

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.DSN(t, filepath.Join(t.TempDir(), "test.db")), func() time.Time { return time.Unix(1_800_000_000, 0) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetAuditKey(testAuditKey(t, 1))
	return db
}

// Pragmas are in the DSN, so every pooled connection has them, not just
// the first.
func TestEveryConnectionHasPragmas(t *testing.T) {
	pgtest.SkipOnPostgres(t, "SQLite pragmas")
	db := openTestDB(t)
	ctx := context.Background()
	db.sql.SetMaxOpenConns(4)
	for i := 0; i < 4; i++ {
		conn, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var mode string
		var fk, timeout int
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || timeout < 1000 {
			t.Fatalf("connection %d: journal_mode=%s foreign_keys=%d busy_timeout=%d", i, mode, fk, timeout)
		}
	}
}

func TestMigrationsApplyOnceAndRecord(t *testing.T) {
	pgtest.SkipOnPostgres(t, "counts SQLite migration files; PostgreSQL: data.TestPostgresParallelOpenMigratesOnce")
	path := pgtest.DSN(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := context.Background()
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	for i := 0; i < 2; i++ { // the second open finds everything applied
		db, err := Open(ctx, path, now)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		names, _ := migrationFiles.ReadDir("migrations")
		if n != len(names) {
			t.Fatalf("recorded %d migrations, have %d files", n, len(names))
		}
		db.Close()
	}
}

func TestAuditEventsChainAndCannotBeChanged(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	for _, action := range []string{"a", "b", "c"} {
		if err := db.InTx(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, AuditEvent{ActorKind: "system", Actor: "test", Action: action, Outcome: "ok"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT prev_hash, hash, key_id, at, actor_kind, actor, COALESCE(customer_id,0), action, outcome, client_ip, detail FROM audit_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	prev := genesisHash
	for rows.Next() {
		var e AuditEvent
		var at int64
		if err := rows.Scan(&e.PrevHash, &e.Hash, &e.KeyID, &at, &e.ActorKind, &e.Actor, &e.CustomerID, &e.Action, &e.Outcome, &e.ClientIP, &e.Detail); err != nil {
			t.Fatal(err)
		}
		e.At = time.Unix(at, 0)
		if e.PrevHash != prev || e.KeyID != db.AuditKey().ID || e.Hash != e.keyedHash(db.AuditKey()) {
			t.Fatalf("event %s breaks the chain", e.Action)
		}
		prev = e.Hash
	}
	rows.Close()
	if _, err := db.ExecContext(ctx, `UPDATE audit_events SET outcome = 'x'`); err == nil {
		t.Error("audit events can be updated")
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM audit_events`); err == nil {
		t.Error("audit events can be deleted")
	}
}

// The throttle counts failures inside the window and starts over after it.
func TestThrottleWindow(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	now := db.Now()
	add := func(since time.Time) {
		if err := db.InTx(ctx, func(tx *Tx) error { return tx.AddThrottleFailure(ctx, "k", since) }); err != nil {
			t.Fatal(err)
		}
	}
	add(now.Add(-time.Minute))
	add(now.Add(-time.Minute))
	if n, _ := db.ThrottleFailures(ctx, "k", now.Add(-time.Minute)); n != 2 {
		t.Fatalf("failures = %d, want 2", n)
	}
	if n, _ := db.ThrottleFailures(ctx, "k", now.Add(time.Second)); n != 0 {
		t.Fatalf("failures of an old window = %d, want 0", n)
	}
	add(now.Add(time.Second)) // the stored window is older: starts over
	if n, _ := db.ThrottleFailures(ctx, "k", now.Add(-time.Minute)); n != 1 {
		t.Fatalf("failures after a new window = %d, want 1", n)
	}
}
