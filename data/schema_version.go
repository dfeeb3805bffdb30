package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// ErrNewerSchema says the database was migrated by a newer mfadesk than
// this one: its code would run on tables it does not know.
var ErrNewerSchema = errors.New("the database schema is newer than this mfadesk")

// refuseNewerSchema fails when schema_migrations records versions that are
// not among known (this binary's migrations, NNNN_name), naming them.
// It runs before any migration is applied, so a refused start changes
// nothing.
func refuseNewerSchema(ctx context.Context, q queryer, known []string) error {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	isKnown := map[string]bool{}
	for _, v := range known {
		isKnown[v] = true
	}
	var unknown []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if !isKnown[v] {
			unknown = append(unknown, v)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%w: it has migrations %s, which this binary does not know; run the newer mfadesk, "+
			"or restore the backup taken before the upgrade (docs/operations.md, Upgrades)", ErrNewerSchema, strings.Join(unknown, ", "))
	}
	return nil
}

// migrator is what *sql.DB and *sql.Conn share, for migrations.
type migrator interface {
	queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// knownMigrations creates schema_migrations where it is missing (integer
// is the engine's name for its applied_at type), refuses a schema newer
// than this binary, and returns the binary's migration files matching
// pattern, in order, with their versions.
func knownMigrations(ctx context.Context, q migrator, files fs.FS, pattern, integer string) (names, versions []string, err error) {
	if _, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at `+integer+` NOT NULL)`); err != nil {
		return nil, nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err = fs.Glob(files, pattern)
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	versions = migrationVersions(names)
	if err := refuseNewerSchema(ctx, q, versions); err != nil {
		return nil, nil, err
	}
	return names, versions, nil
}

// migrationVersions names each migration file by its version: the file's
// name without directory and ".sql".
func migrationVersions(files []string) []string {
	versions := make([]string, len(files))
	for i, f := range files {
		versions[i] = strings.TrimSuffix(path.Base(f), ".sql")
	}
	return versions
}
