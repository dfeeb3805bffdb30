package data

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	// The pgx driver behind database/sql, also registered as "pgx".
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL has its own migrations (data/migrations/postgres/README.md):
// a baseline equal to the SQLite schema after 0034, then one file per
// later SQLite migration, translated.
//
//go:embed migrations/postgres/*.sql
var postgresMigrationFiles embed.FS

// Advisory lock keys, fixed so that every instance on one database takes
// the same locks. Any two distinct 64-bit numbers would do.
const (
	// writeLockKey serialises write transactions across instances, as
	// SQLite's one writer does (docs/design.md).
	writeLockKey int64 = 0x6d66_6164_6573_6b01
	// migrateLockKey lets one instance migrate while the others wait.
	migrateLockKey int64 = 0x6d66_6164_6573_6b02
)

// DefaultPostgresMaxConns is the pool size on PostgreSQL unless
// SetMaxConns says otherwise (--db-max-conns).
const DefaultPostgresMaxConns = 10

// IsPostgresDSN reports whether dsn names a PostgreSQL database rather
// than a SQLite file.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres opens a PostgreSQL database and applies pending migrations
// under a session advisory lock, so instances starting together migrate
// one after the other.
func openPostgres(ctx context.Context, dsn string, db *DB) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password and all: not wrapped.
		return errors.New("open postgres: the --db URL is not valid")
	}
	// A write waiting for the write lock gives up after 10 seconds, like
	// SQLite's busy_timeout, rather than holding its connection forever.
	if _, ok := cfg.RuntimeParams["lock_timeout"]; !ok {
		cfg.RuntimeParams["lock_timeout"] = "10s"
	}
	sdb := stdlib.OpenDB(*cfg)
	sdb.SetMaxOpenConns(DefaultPostgresMaxConns)
	sdb.SetMaxIdleConns(DefaultPostgresMaxConns)
	db.sql = sdb
	db.engine = Postgres
	// Several instances write: the read cache's invalidation sees only
	// this process's changes (cache.go), so it stays off.
	db.cache.off.Store(true)
	if err := db.migratePostgres(ctx); err != nil {
		sdb.Close()
		return err
	}
	return nil
}

// Migrate opens the database at dsn, applies pending migrations and
// closes it.
func Migrate(ctx context.Context, dsn string) error {
	db, err := Open(ctx, dsn, time.Now)
	if err != nil {
		return err
	}
	return db.Close()
}

func (db *DB) migratePostgres(ctx context.Context) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect postgres: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	// Unlocked explicitly: the connection goes back to the pool. A dead
	// connection's session lock is released by the server.
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey)
	names, versions, err := knownMigrations(ctx, conn, postgresMigrationFiles, "migrations/postgres/*.sql", "BIGINT")
	if err != nil {
		return err
	}
	for i, name := range names {
		if err := db.applyPostgresMigration(ctx, conn, versions[i], name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyPostgresMigration(ctx context.Context, conn *sql.Conn, version, name string) error {
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: %w", version, err)
	}
	if n > 0 {
		return nil
	}
	body, err := postgresMigrationFiles.ReadFile(name)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", version, err)
	}
	defer tx.Rollback()
	// Without arguments pgx sends the text as one simple query, so a file
	// may hold many statements and plpgsql bodies.
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", version, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, db.unix()); err != nil {
		return fmt.Errorf("record migration %s: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", version, err)
	}
	return nil
}

// placeholders caches each query's text rewritten for PostgreSQL.
type placeholders struct {
	m sync.Map // string → string
	n atomic.Int64
}

// maxRewritten bounds the cache, as maxCachedStmts does SQLite's: queries
// built at run time (filters, lists) past it are rewritten every time.
const maxRewritten = 4096

// rewrite turns the ? placeholders of query into PostgreSQL's $1, $2, …,
// once per query text.
func (p *placeholders) rewrite(query string) string {
	if q, ok := p.m.Load(query); ok {
		return q.(string)
	}
	q := numberPlaceholders(query)
	if p.n.Load() < maxRewritten {
		if _, loaded := p.m.LoadOrStore(query, q); !loaded {
			p.n.Add(1)
		}
	}
	return q
}

// numberPlaceholders rewrites ? outside quoted text and comments to $n.
func numberPlaceholders(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
