package data

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// The PostgreSQL tests share one throwaway cluster, stopped when they end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, Migrate)) }

func openPostgresTest(t *testing.T) (*DB, string) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	db, err := Open(context.Background(), dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

func TestPostgresOpenMigratesAndQueries(t *testing.T) {
	db, _ := openPostgresTest(t)
	ctx := context.Background()
	if db.Engine() != Postgres {
		t.Fatalf("engine %v", db.Engine())
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = ? OR id = ?`, "support", "compliance").Scan(&n); err != nil || n != 2 {
		t.Fatalf("organisations: %d, %v", n, err)
	}
	// A write waiting for the write lock gives up, as on SQLite.
	var timeout string
	if err := db.QueryRowContext(ctx, `SHOW lock_timeout`).Scan(&timeout); err != nil || timeout != "10s" {
		t.Fatalf("lock_timeout %q, %v", timeout, err)
	}
}

func TestPostgresRefusesNewerSchema(t *testing.T) {
	db, dsn := openPostgresTest(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_from_a_newer_release', 0)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, dsn, time.Now)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "9999_from_a_newer_release") {
		t.Fatalf("open: %v", err)
	}
}

// Instances started at once on a fresh database: one migrates, the others
// wait for it and find nothing left to do.
func TestPostgresParallelOpenMigratesOnce(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	const n = 4
	start := make(chan struct{})
	errs := make(chan error, n)
	dbs := make(chan *DB, n)
	for range n {
		go func() {
			<-start
			db, err := Open(ctx, dsn, time.Now)
			if err == nil {
				dbs <- db
			}
			errs <- err
		}()
	}
	close(start)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(dbs)
	var db *DB
	for d := range dbs {
		db = d
		t.Cleanup(func() { d.Close() })
	}
	files, _ := fs.Glob(postgresMigrationFiles, "migrations/postgres/*.sql")
	var versions, rows int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT version), COUNT(*) FROM schema_migrations`).Scan(&versions, &rows); err != nil {
		t.Fatal(err)
	}
	if versions != len(files) || rows != len(files) {
		t.Fatalf("schema_migrations: %d versions in %d rows, want %d", versions, rows, len(files))
	}
}

// Two handles on one database stand for two instances: parallel
// read-increment-write transactions lose no update, because every write
// transaction holds the same advisory lock.
func TestPostgresWriteTransactionsSerialised(t *testing.T) {
	a, dsn := openPostgresTest(t)
	b, err := Open(context.Background(), dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, `INSERT INTO throttles (key, failures, window_start) VALUES ('counter', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	const n = 40
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- db.InTx(ctx, func(tx *Tx) error {
				var v int
				if err := tx.QueryRowContext(ctx, `SELECT failures FROM throttles WHERE key = ?`, "counter").Scan(&v); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `UPDATE throttles SET failures = ? WHERE key = ?`, v+1, "counter")
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var v int
	if err := a.QueryRowContext(ctx, `SELECT failures FROM throttles WHERE key = ?`, "counter").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != n {
		t.Fatalf("counter %d after %d increments: updates were lost", v, n)
	}
}

func TestPostgresReadCacheStaysOff(t *testing.T) {
	db, _ := openPostgresTest(t)
	db.SetReadCache(true)
	if db.ReadCacheOn() {
		t.Fatal("read cache on with PostgreSQL")
	}
}

func TestNumberPlaceholders(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?', "a?b" FROM t WHERE b = ?`, `SELECT '?', "a?b" FROM t WHERE b = $1`},
		{`SELECT 'it''s ?' WHERE x = ?`, `SELECT 'it''s ?' WHERE x = $1`},
		{"SELECT x -- why?\nFROM t WHERE y = ?", "SELECT x -- why?\nFROM t WHERE y = $1"},
		{`INSERT INTO t VALUES (?, ?, ?)`, `INSERT INTO t VALUES ($1, $2, $3)`},
	} {
		if got := numberPlaceholders(c.in); got != c.want {
			t.Errorf("numberPlaceholders(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The PostgreSQL migrations make the tables, columns and indexes SQLite's
// make: a migration translated without a column fails here.
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	lite, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, _ := openPostgresTest(t)
	want := schemaOf(t, lite, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		UNION ALL SELECT 'index', name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`)
	got := schemaOf(t, pg, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public')
		UNION ALL SELECT 'index', indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'`)
	for k := range want {
		if !got[k] {
			t.Errorf("PostgreSQL lacks %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("PostgreSQL has %s, SQLite does not", k)
		}
	}
}

func schemaOf(t *testing.T, db *DB, query string) map[string]bool {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names := map[string]bool{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		names[a+"."+b] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestPlaceholderCacheIsBounded(t *testing.T) {
	var p placeholders
	for i := range maxRewritten + 10 {
		q := fmt.Sprintf("SELECT %d WHERE a = ?", i)
		if got, want := p.rewrite(q), fmt.Sprintf("SELECT %d WHERE a = $1", i); got != want {
			t.Fatalf("rewrite = %q, want %q", got, want)
		}
	}
	if n := p.n.Load(); n != maxRewritten {
		t.Fatalf("%d queries cached, limit %d", n, maxRewritten)
	}
}
