package pgtest

import (
	"os"
	"testing"
)

// OnPostgres reports whether the suite runs on PostgreSQL:
// MFADESK_TEST_DB=postgres (docs/operations.md).
func OnPostgres() bool { return os.Getenv("MFADESK_TEST_DB") == "postgres" }

// DSN is the database a test opens: sqlitePath, or with
// MFADESK_TEST_DB=postgres a fresh, migrated PostgreSQL database for t.
func DSN(t testing.TB, sqlitePath string) string {
	t.Helper()
	if !OnPostgres() {
		return sqlitePath
	}
	return Migrated(t)
}

// SkipOnPostgres skips a test about SQLite itself (its files, backups,
// pragmas) when the suite runs on PostgreSQL.
func SkipOnPostgres(t testing.TB, why string) {
	t.Helper()
	if OnPostgres() {
		t.Skip("SQLite only: " + why)
	}
}
