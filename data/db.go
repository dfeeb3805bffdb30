// Package data is mfadesk's storage: the database connection (SQLite, or
// PostgreSQL for several instances), embedded migrations and the queries.
// It knows SQL and nothing of HTTP.
package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is the application's database handle.
type DB struct {
	sql    *sql.DB
	engine Engine
	now    func() time.Time
	// ph rewrites ? placeholders for PostgreSQL; unused on SQLite.
	ph *placeholders
	// stmts caches prepared statements by their SQL: preparing (parsing)
	// a statement cost more CPU than running it on every page view.
	stmts     sync.Map // string → *sql.Stmt
	stmtCount atomic.Int64
	cache     *readCache
	// auditKey chains new audit events (SetAuditKey); never nil after Open,
	// so no event is written unkeyed.
	auditKey *AuditKey
}

// maxConns is the connection pool's size. SQLite runs one writer at a
// time, and WAL readers do not need many connections to be parallel.
const maxConns = 8

// maxCachedStmts bounds the cache; queries built at run time (filters)
// past it simply run unprepared.
const maxCachedStmts = 512

// prepared returns the cached statement for query, preparing it once.
// It returns nil when the cache is full.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := db.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	if db.stmtCount.Load() >= maxCachedStmts {
		return nil, nil
	}
	s, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	db.stmtCount.Add(1)
	return s, nil
}

// QueryContext runs a query through the statement cache. On PostgreSQL
// pgx caches prepared statements per connection itself.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.engine == Postgres {
		return db.sql.QueryContext(ctx, db.ph.rewrite(query), args...)
	}
	s, err := db.prepared(ctx, query)
	if err != nil || s == nil {
		return db.sql.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query through the statement cache.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if db.engine == Postgres {
		return db.sql.QueryRowContext(ctx, db.ph.rewrite(query), args...)
	}
	s, err := db.prepared(ctx, query)
	if err != nil || s == nil {
		return db.sql.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// ExecContext runs one statement outside a transaction. On PostgreSQL it
// is a write transaction of its own, serialised with the others (InTx).
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	if db.engine == Postgres {
		err := db.InTx(ctx, func(tx *Tx) error {
			var err error
			res, err = tx.ExecContext(ctx, query, args...)
			return err
		})
		return res, err
	}
	err := db.onConn(ctx, func(conn *sql.Conn) error {
		var err error
		res, err = conn.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// onConn runs a write on one pooled connection and then tells the read
// cache that the write's changes are settled (see cache.go).
func (db *DB) onConn(ctx context.Context, fn func(conn *sql.Conn) error) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer conn.Close()
	defer db.cache.settle(db.cache.changesOf(conn))
	return fn(conn)
}

// connector opens connections through mfadesk's own driver value, so the
// read cache's hook is on every connection of this DB and of no other.
type connector struct {
	driver *sqlite.Driver
	dsn    string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.driver }

// Open opens the database and applies pending migrations: PostgreSQL when
// path is a postgres:// or postgresql:// URL, otherwise the SQLite file at
// path (created if needed). now is the clock every stored time comes from.
func Open(ctx context.Context, path string, now func() time.Time) (*DB, error) {
	if IsPostgresDSN(path) {
		db := &DB{now: now, cache: newReadCache(), ph: &placeholders{}, auditKey: newAuditKey(DevAuditKey())}
		if err := openPostgres(ctx, path, db); err != nil {
			return nil, err
		}
		return db, nil
	}
	// Pragmas go in the DSN so every pooled connection gets them;
	// _txlock=immediate takes the write lock at BEGIN, so concurrent writers
	// wait on busy_timeout instead of failing on a lock upgrade.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	cache := newReadCache()
	drv := &sqlite.Driver{}
	drv.RegisterConnectionHook(cache.onConnect)
	sdb := sql.OpenDB(connector{driver: drv, dsn: "file:" + path + "?" + q.Encode()})
	// A fixed pool: database/sql keeps only 2 idle connections by default,
	// so under load it opened and closed SQLite connections all the time,
	// each paying for its pragmas and for preparing every statement again
	// (profiled: 40% of the CPU of a page view was SQLite's parser).
	sdb.SetMaxOpenConns(maxConns)
	sdb.SetMaxIdleConns(maxConns)
	db := &DB{sql: sdb, now: now, cache: cache, auditKey: newAuditKey(DevAuditKey())}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := cache.watch(ctx, sdb); err != nil {
		sdb.Close()
		return nil, err
	}
	cache.settleAll()
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	return db.sql.Close()
}

// SetMaxConns sets the connection pool's size (--db-max-conns); n <= 0
// keeps the engine's default.
func (db *DB) SetMaxConns(n int) {
	if n <= 0 {
		return
	}
	db.sql.SetMaxOpenConns(n)
	db.sql.SetMaxIdleConns(n)
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Now is the database's clock, shared with the rest of the program.
func (db *DB) Now() time.Time { return db.now() }

func (db *DB) unix() int64 { return db.now().Unix() }

// Tx is one transaction. Methods on Tx are the building blocks that callers
// combine when a change, its audit event and its notification must commit
// together.
type Tx struct {
	tx       *sql.Tx
	engine   Engine
	ph       *placeholders
	now      time.Time
	auditKey *AuditKey
}

// Inside a transaction statements are prepared afresh, not taken from
// the cache: a cached statement bound to a transaction left connections
// unable to begin the next write (SQLITE_BUSY at BEGIN under concurrent
// second-factor checks), and writes are the rarer path.

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.text(query), args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.text(query), args...)
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.text(query), args...)
}

// text is query as the engine takes it.
func (tx *Tx) text(query string) string {
	if tx.engine == Postgres {
		return tx.ph.rewrite(query)
	}
	return query
}

// Now is the time fixed at the start of the transaction.
func (tx *Tx) Now() time.Time { return tx.now }

// InTx runs fn in one write transaction, committing when fn returns nil.
//
// Write transactions run one at a time: SQLite has one writer
// (_txlock=immediate takes it at BEGIN); on PostgreSQL each first takes
// the same transaction-scoped advisory lock, so writes are serialised
// across every instance on the database and each sees all that committed
// before it (READ COMMITTED: every statement reads the latest commits).
// Every read-check-write in a transaction therefore holds on both engines.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.onConn(ctx, func(conn *sql.Conn) error {
		stx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if db.engine == Postgres {
			if _, err := stx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
				stx.Rollback()
				return fmt.Errorf("write lock: %w", err)
			}
		}
		tx := &Tx{tx: stx, engine: db.engine, ph: db.ph, now: db.now(), auditKey: db.auditKey}
		if err := fn(tx); err != nil {
			stx.Rollback()
			return err
		}
		if err := stx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
}

func (db *DB) migrate(ctx context.Context) error {
	names, versions, err := knownMigrations(ctx, db.sql, migrationFiles, "migrations/*.sql", "INTEGER")
	if err != nil {
		return err
	}
	for i, name := range names {
		if err := db.applyMigration(ctx, versions[i], name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version, name string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
		if n > 0 {
			return nil
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, tx.now.Unix()); err != nil {
			return fmt.Errorf("record migration %s: %w", version, err)
		}
		return nil
	})
}

// Errors callers test with errors.Is; the web layer maps them to HTTP.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// queryer is what *sql.DB and *sql.Tx share, for reads used both inside
// and outside transactions.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
