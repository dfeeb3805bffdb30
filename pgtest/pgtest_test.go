package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	os.Exit(Main(m, func(ctx context.Context, dsn string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, `CREATE TABLE migrated (n BIGINT)`)
		return err
	}))
}

func TestDatabasesAreSeparateAndDropped(t *testing.T) {
	ctx := context.Background()
	var first string
	t.Run("first", func(t *testing.T) {
		first = NewDatabase(t)
		conn, err := pgx.Connect(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE TABLE mine (n BIGINT)`); err != nil {
			t.Fatal(err)
		}
	})
	second := NewDatabase(t)
	if second == first {
		t.Fatalf("the same database twice: %s", first)
	}
	conn, err := pgx.Connect(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT * FROM mine`); err == nil {
		t.Fatal("a new database holds another test's table")
	}
	if _, err := pgx.Connect(ctx, first); err == nil {
		t.Fatal("a finished test's database is still there")
	}
}

func TestMigratedDatabasesCopyTheTemplate(t *testing.T) {
	ctx := context.Background()
	for range 2 {
		conn, err := pgx.Connect(ctx, Migrated(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO migrated VALUES (1)`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM migrated`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("rows %d, %v: want only this test's one", n, err)
		}
		conn.Close(ctx)
	}
}

func TestDSNIsTheSQLitePathUnlessPostgres(t *testing.T) {
	t.Setenv("MFADESK_TEST_DB", "")
	if got := DSN(t, "/tmp/x.db"); got != "/tmp/x.db" {
		t.Fatalf("DSN = %q", got)
	}
	t.Setenv("MFADESK_TEST_DB", "postgres")
	if got := DSN(t, "/tmp/x.db"); got == "/tmp/x.db" {
		t.Fatal("DSN kept the SQLite path with MFADESK_TEST_DB=postgres")
	}
}

func TestSkipOnlyWhereNotInstalledOutsideCI(t *testing.T) {
	other := errors.New("initdb: exit status 1")
	for _, c := range []struct {
		err  error
		ci   bool
		skip bool
	}{
		{errNotInstalled, false, true},
		{fmt.Errorf("start: %w", errNotInstalled), false, true},
		{errNotInstalled, true, false},
		{other, false, false},
		{other, true, false},
	} {
		if got := skipWithout(c.err, c.ci); got != c.skip {
			t.Errorf("skipWithout(%v, ci=%v) = %v, want %v", c.err, c.ci, got, c.skip)
		}
	}
}
