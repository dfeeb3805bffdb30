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
// the customer's factor summary; on the console the session, the staff
// member and the count of requests waiting for a second member — are kept
// in memory between requests: reading them from SQLite was most of the CPU
// of a page view.
//
// A cached row is never older than the last committed change made through
// this process. SQLite tells us of every row change on our connections (a
// pre-update hook), so no query can forget to invalidate: a change to
// sessions, customers, factors, passkeys, recovery_codes, staff,
// organisations or action_requests marks the stripe of the customer or
// staff member it belongs to (or the table's own) dirty the moment it is
// written and again once its transaction has committed or rolled back. A
// read is cached only if no change to its stripes was under way or
// happened while it ran. Changes by another process (an operator's
// sqlite3, a restore) are seen by every read that starts more than
// cacheTTL after they committed; the `mfadesk staff` commands that change
// an account wait that long before they return (docs/operations.md).
const (
	customerStripes = 4096 // customers share a stripe: a collision only costs a re-read
	staffStripes    = 256
	// orgStripe is one stripe for every organisation: a rename, rare,
	// drops every cached staff member.
	orgStripe = customerStripes + staffStripes
	// requestsStripe is the four-eyes requests' (the console header's
	// count of those waiting).
	requestsStripe = orgStripe + 1
	cacheStripes   = requestsStripe + 1

	cacheTTL        = time.Second
	cacheMaxEntries = 10_000 // per kind: a few MB; see store
)

// ReadCacheTTL is how long after a commit by another process a cached
// row may still be served.
const ReadCacheTTL = cacheTTL

// owner says which stripe a watched column's value names.
type owner int

const (
	byCustomer owner = iota // the column holds a customer id
	byStaff                 // the column holds a staff id
	anyOrg                  // any change to the table: orgStripe
	anyRequest              // any change to the table: requestsStripe
)

type watchedColumn struct {
	column string
	owner  owner
}

// cachedTables are the tables the cache depends on, each with the columns
// naming whose a row is.
var cachedTables = map[string][]watchedColumn{
	"customers":       {{"id", byCustomer}},
	"sessions":        {{"customer_id", byCustomer}, {"staff_id", byStaff}},
	"factors":         {{"customer_id", byCustomer}},
	"passkeys":        {{"customer_id", byCustomer}},
	"recovery_codes":  {{"customer_id", byCustomer}},
	"staff":           {{"id", byStaff}},
	"organisations":   {{"id", anyOrg}},
	"action_requests": {{"id", anyRequest}},
}

func customerStripe(customerID int64) int { return int(uint64(customerID) % customerStripes) }
func staffStripe(staffID int64) int       { return customerStripes + int(uint64(staffID)%staffStripes) }

// watchedTable is where a cached table keeps its owners' ids.
type watchedTable struct {
	width   int // columns to read: the last watched one's index + 1
	columns []watchedIndex
}

type watchedIndex struct {
	index int
	owner owner
}

type readCache struct {
	gen      [cacheStripes]atomic.Uint64
	inflight [cacheStripes]atomic.Int64
	// tables: where each cached table keeps its owners' ids; nil until the
	// schema is migrated (nothing is cached before that).
	tables atomic.Pointer[map[string]watchedTable]
	conns  sync.Map // driver connection → *connChanges

	hits, misses atomic.Uint64
	off          atomic.Bool

	mu        sync.RWMutex
	sessions  map[string]cached[Session]
	customers map[int64]cached[Customer]
	summaries map[int64]cached[FactorSummary]
	staff     map[int64]cached[Staff]
	pending   map[int]cached[pendingCount] // one entry, key 0
}

type cached[T any] struct {
	value T
	snap  snapshot
}

// connChanges are the stripes one connection changed since its last
// settle; only the goroutine holding the connection touches them.
type connChanges struct {
	dirty [(cacheStripes + 63) / 64]uint64
	any   bool
}

func newReadCache() *readCache {
	return &readCache{
		sessions:  map[string]cached[Session]{},
		customers: map[int64]cached[Customer]{},
		summaries: map[int64]cached[FactorSummary]{},
		staff:     map[int64]cached[Staff]{},
		pending:   map[int]cached[pendingCount]{},
	}
}

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
// its owners' ids.
func (c *readCache) watch(ctx context.Context, sdb *sql.DB) error {
	tables := map[string]watchedTable{}
	for table, columns := range cachedTables {
		var w watchedTable
		for _, col := range columns {
			i, err := columnIndex(ctx, sdb, table, col.column)
			if err != nil {
				return err
			}
			w.columns = append(w.columns, watchedIndex{index: i, owner: col.owner})
			w.width = max(w.width, i+1)
		}
		tables[table] = w
	}
	c.tables.Store(&tables)
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
	tables := c.tables.Load()
	if tables == nil {
		return
	}
	w, ok := (*tables)[d.TableName]
	if !ok {
		return
	}
	vals := make([]any, w.width)
	if d.Op != sqlite3.SQLITE_INSERT {
		if err := d.Old(vals...); err != nil {
			c.markAll(ch)
			return
		}
		c.markOwners(ch, w, vals)
	}
	if d.Op != sqlite3.SQLITE_DELETE {
		if err := d.New(vals...); err != nil {
			c.markAll(ch)
			return
		}
		c.markOwners(ch, w, vals)
	}
}

// markOwners marks the stripes a row's values name. A NULL owner (an
// anonymous session's customer and staff) names none: such rows are
// never cached.
func (c *readCache) markOwners(ch *connChanges, w watchedTable, vals []any) {
	for _, col := range w.columns {
		id, ok := vals[col.index].(int64)
		switch {
		case col.owner == anyOrg:
			c.mark(ch, orgStripe)
		case col.owner == anyRequest:
			c.mark(ch, requestsStripe)
		case !ok:
		case col.owner == byStaff:
			c.mark(ch, staffStripe(id))
		default:
			c.mark(ch, customerStripe(id))
		}
	}
}

// markAll is for a change whose owner cannot be read: every stripe is
// treated as changed until the connection settles.
func (c *readCache) markAll(ch *connChanges) {
	for s := range cacheStripes {
		c.mark(ch, s)
	}
}

func (c *readCache) mark(ch *connChanges, s int) {
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

// snapshot is the state of the stripes a value depends on, taken before
// it is read; the read may be cached only if the state is the same after
// it. at is when it was taken: the value is no older than that.
type snapshot struct {
	n       int
	stripes [3]int
	gens    [3]uint64
	clean   bool
	at      time.Time
}

func (c *readCache) snapshot(stripes ...int) snapshot {
	snap := snapshot{n: len(stripes), clean: true, at: time.Now()}
	for i, s := range stripes {
		snap.stripes[i], snap.gens[i] = s, c.gen[s].Load()
		if c.inflight[s].Load() != 0 {
			snap.clean = false
		}
	}
	return snap
}

// valid reports whether nothing of the snapshot's stripes has changed
// since it was taken.
func (c *readCache) valid(snap snapshot) bool {
	if !snap.clean {
		return false
	}
	for i := range snap.n {
		s := snap.stripes[i]
		if c.inflight[s].Load() != 0 || c.gen[s].Load() != snap.gens[i] {
			return false
		}
	}
	return true
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
	if !ok || time.Since(e.snap.at) > cacheTTL || !c.valid(e.snap) {
		c.misses.Add(1)
		var zero T
		return zero, false
	}
	c.hits.Add(1)
	return e.value, true
}

// SetReadCache turns the read cache on (the default) or off; off, every
// read goes to the database. On PostgreSQL it stays off: other instances
// write the same database, and only this process's own changes would
// invalidate it.
func (db *DB) SetReadCache(on bool) { db.cache.off.Store(!on || db.engine == Postgres) }

// ReadCacheOn reports whether the read cache is in use.
func (db *DB) ReadCacheOn() bool { return !db.cache.off.Load() }

// ReadCacheStats counts the cached reads (sessions, customers, factor
// summaries, staff) served from memory and those that went to SQLite,
// since Open.
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
			if now.Sub(e.snap.at) > cacheTTL {
				delete(*m, k)
			}
		}
		if len(*m) >= cacheMaxEntries {
			*m = map[K]cached[T]{}
		}
	}
	(*m)[key] = cached[T]{value: value, snap: snap}
	c.mu.Unlock()
}
