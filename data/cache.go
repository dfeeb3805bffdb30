package data

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The rows every authenticated page reads — its session, the customer and
// the customer's factor summary — are kept in memory between requests:
// reading them from SQLite was most of the CPU of a page view.
//
// A cached row is never older than the last committed change made through
// this process. SQLite tells us of every row change on our connections (a
// pre-update hook), so no query can forget to invalidate: a change to
// sessions, customers, factors, passkeys or recovery_codes marks the
// customer's stripe dirty the moment it is written and again once its
// transaction has committed or rolled back. A read is cached only if no
// change to that stripe was under way or happened while it ran. Changes by
// another process (an operator's CLI, a restore) are seen within cacheTTL.
const (
	cacheStripes    = 4096 // customers share a stripe: a collision only costs a re-read
	cacheTTL        = time.Second
	cacheMaxEntries = 10_000 // per kind: a few MB; see store
)

// cachedTables maps each table the cache depends on to the column naming
// the customer a row belongs to.
var cachedTables = map[string]string{
	"customers":      "id",
	"sessions":       "customer_id",
	"factors":        "customer_id",
	"passkeys":       "customer_id",
	"recovery_codes": "customer_id",
}

type readCache struct {
	gen      [cacheStripes]atomic.Uint64
	inflight [cacheStripes]atomic.Int64
	// columns: table → index of its customer column; nil until the schema
	// is migrated (nothing is cached before that).
	columns atomic.Pointer[map[string]int]
	conns   sync.Map // driver connection → *connChanges

	hits, misses atomic.Uint64
	off          atomic.Bool

	mu        sync.RWMutex
	sessions  map[string]cached[Session]
	customers map[int64]cached[Customer]
	summaries map[int64]cached[FactorSummary]
}

type cached[T any] struct {
	value T
	snap  snapshot
	at    time.Time
}

// connChanges are the stripes one connection changed since its last
// settle; only the goroutine holding the connection touches them.
type connChanges struct {
	dirty [cacheStripes / 64]uint64
	any   bool
}

func newReadCache() *readCache {
	return &readCache{
		sessions:  map[string]cached[Session]{},
		customers: map[int64]cached[Customer]{},
		summaries: map[int64]cached[FactorSummary]{},
	}
}

func stripe(customerID int64) int { return int(uint64(customerID) % cacheStripes) }

// onConnect is the driver's connection hook: it watches the connection's
// row changes.
func (c *readCache) onConnect(conn sqlite.ExecQuerierContext, _ string) error {
	hooks, ok := conn.(sqlite.HookRegisterer)
	if !ok {
		return fmt.Errorf("sqlite connection %T takes no hooks", conn)
	}
	ch := &connChanges{}
	c.conns.Store(conn, ch)
	hooks.RegisterPreUpdateHook(func(d sqlite.SQLitePreUpdateData) { c.changed(ch, &d) })
	return nil
}

// watch reads, once the schema is migrated, where each cached table keeps
// its customer id.
func (c *readCache) watch(ctx context.Context, sdb *sql.DB) error {
	cols := map[string]int{}
	for table, column := range cachedTables {
		i, err := columnIndex(ctx, sdb, table, column)
		if err != nil {
			return err
		}
		cols[table] = i
	}
	c.columns.Store(&cols)
	return nil
}

func columnIndex(ctx context.Context, sdb *sql.DB, table, column string) (int, error) {
	rows, err := sdb.QueryContext(ctx, `SELECT cid, name FROM pragma_table_info(?)`, table)
	if err != nil {
		return 0, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var name string
		if err := rows.Scan(&i, &name); err != nil {
			return 0, fmt.Errorf("columns of %s: %w", table, err)
		}
		if name == column {
			return i, nil
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("columns of %s: %w", table, err)
	}
	return 0, fmt.Errorf("table %s has no column %s", table, column)
}

// changed runs inside SQLite before a row of any table changes.
func (c *readCache) changed(ch *connChanges, d *sqlite.SQLitePreUpdateData) {
	cols := c.columns.Load()
	if cols == nil {
		return
	}
	col, ok := (*cols)[d.TableName]
	if !ok {
		return
	}
	vals := make([]any, col+1)
	if d.Op != sqlite3.SQLITE_INSERT {
		if err := d.Old(vals...); err != nil {
			c.markAll(ch)
			return
		}
		c.mark(ch, vals[col])
	}
	if d.Op != sqlite3.SQLITE_DELETE {
		if err := d.New(vals...); err != nil {
			c.markAll(ch)
			return
		}
		c.mark(ch, vals[col])
	}
}

// markAll is for a change whose customer cannot be read: every stripe is
// treated as changed until the connection settles.
func (c *readCache) markAll(ch *connChanges) {
	for s := range int64(cacheStripes) {
		c.mark(ch, s)
	}
}

func (c *readCache) mark(ch *connChanges, customer any) {
	id, ok := customer.(int64)
	if !ok {
		return // no customer: an anonymous or staff session, never cached
	}
	s := stripe(id)
	word, bit := s/64, uint64(1)<<(s%64)
	if ch.dirty[word]&bit != 0 {
		return
	}
	ch.dirty[word] |= bit
	ch.any = true
	c.inflight[s].Add(1)
	c.gen[s].Add(1)
}

// settle is called once a connection's transaction or statement has
// committed or rolled back: its changes are now what every reader sees.
func (c *readCache) settle(ch *connChanges) {
	if ch == nil || !ch.any {
		return
	}
	for word, w := range ch.dirty {
		for w != 0 {
			s := word*64 + bits.TrailingZeros64(w)
			w &= w - 1
			c.gen[s].Add(1)
			c.inflight[s].Add(-1)
		}
		ch.dirty[word] = 0
	}
	ch.any = false
}

// settleAll settles every connection; only when nothing else runs (Open).
func (c *readCache) settleAll() {
	c.conns.Range(func(_, ch any) bool {
		c.settle(ch.(*connChanges))
		return true
	})
}

// changesOf returns the change record of the pooled connection conn.
func (c *readCache) changesOf(conn *sql.Conn) *connChanges {
	var ch *connChanges
	conn.Raw(func(dc any) error {
		if v, ok := c.conns.Load(dc); ok {
			ch = v.(*connChanges)
		}
		return nil
	})
	return ch
}

// snapshot is a stripe's state before a read; the read may be cached only
// if the state is the same after it.
type snapshot struct {
	stripe int
	gen    uint64
	clean  bool
}

func (c *readCache) snapshot(customerID int64) snapshot {
	s := stripe(customerID)
	return snapshot{stripe: s, gen: c.gen[s].Load(), clean: c.inflight[s].Load() == 0}
}

// valid reports whether nothing of the stripe has changed since snap.
func (c *readCache) valid(snap snapshot) bool {
	return snap.clean && c.inflight[snap.stripe].Load() == 0 &&
		c.gen[snap.stripe].Load() == snap.gen
}

func lookup[K comparable, T any](c *readCache, m *map[K]cached[T], key K) (T, bool) {
	if c.off.Load() {
		c.misses.Add(1)
		var zero T
		return zero, false
	}
	c.mu.RLock()
	e, ok := (*m)[key]
	c.mu.RUnlock()
	if !ok || time.Since(e.at) > cacheTTL || !c.valid(e.snap) {
		c.misses.Add(1)
		var zero T
		return zero, false
	}
	c.hits.Add(1)
	return e.value, true
}

// SetReadCache turns the read cache on (the default) or off; off, every
// read goes to SQLite.
func (db *DB) SetReadCache(on bool) { db.cache.off.Store(!on) }

// ReadCacheStats counts the cached reads (sessions, customers, factor
// summaries) served from memory and those that went to SQLite, since Open.
func (db *DB) ReadCacheStats() (hits, misses uint64) {
	return db.cache.hits.Load(), db.cache.misses.Load()
}

// store keeps value if the stripe did not change since snap was taken
// (before value was read).
func store[K comparable, T any](c *readCache, m *map[K]cached[T], key K, value T, snap snapshot) {
	if c.off.Load() || !c.valid(snap) {
		return
	}
	now := time.Now()
	c.mu.Lock()
	if len(*m) >= cacheMaxEntries {
		// Entries past their TTL are useless: drop them. If more than the
		// limit were read within one TTL, start afresh.
		for k, e := range *m {
			if now.Sub(e.at) > cacheTTL {
				delete(*m, k)
			}
		}
		if len(*m) >= cacheMaxEntries {
			*m = map[K]cached[T]{}
		}
	}
	(*m)[key] = cached[T]{value: value, snap: snap, at: now}
	c.mu.Unlock()
}
