package main

import (
	"database/sql"
	"testing"

	"mfadesk/data"
)

// rawDB opens the test app's database behind mfadesk's back, with the
// driver of its engine, for tests that read or tamper with it directly.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if data.IsPostgresDSN(dsn) {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// dropTrigger is DROP TRIGGER in the engine's words: PostgreSQL names
// the table too.
func dropTrigger(dsn, trigger string) string {
	if data.IsPostgresDSN(dsn) {
		return `DROP TRIGGER ` + trigger + ` ON audit_events`
	}
	return `DROP TRIGGER ` + trigger
}

// tablesQuery lists the database's own tables by name.
func tablesQuery(dsn string) string {
	if data.IsPostgresDSN(dsn) {
		return `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`
	}
	return `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
}
