package data

import (
	"context"
	"database/sql"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"mfadesk/pgtest"
)

func queueTest(t *testing.T, db *DB, n int) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *Tx) error {
		for range n {
			if _, err := tx.QueueMessage(context.Background(), &OutboxMessage{Kind: "k", Channel: "sms", To: "090", Body: "b"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// migratedBelow is a database at path with the migrations before
// version applied, as an older release left it.
func migratedBelow(t *testing.T, path, version string) *sql.DB {
	t.Helper()
	pgtest.SkipOnPostgres(t, "builds a SQLite file at an older schema")
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{sql: sdb, now: time.Now, cache: newReadCache()}
	if _, err := sdb.Exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names {
		if v := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql"); v < version {
			if err := old.applyMigration(context.Background(), v, name); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sdb
}

// openAt opens a database whose clock reads *now, for tests to move.
func openAt(t *testing.T, now *time.Time) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Messages queued before the upgrade that rebuilt the outbox keep their
// content and are delivered after it.
func TestDeliveryMigrationKeepsQueuedMessages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	sdb := migratedBelow(t, path, "0005")
	if _, err := sdb.Exec(`INSERT INTO outbox (kind, channel, recipient, subject, body, status, attempts, created_at, updated_at)
		VALUES ('login_code', 'email', 'a@example.jp', '件名', '本文', 'queued', 0, 1, 1)`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()

	db, err := Open(ctx, path, now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	claimed, err := db.ClaimDue(ctx, 10, time.Minute, 3)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %+v, %v", claimed, err)
	}
	m := claimed[0]
	if m.Subject != "件名" || m.Body != "本文" || m.To != "a@example.jp" || m.Status != "sending" || m.Attempts != 1 {
		t.Errorf("after the upgrade: %+v", m)
	}
}

// Two workers (two connections, as two processes would have) claiming at
// once never get the same message, and between them get every one.
func TestClaimIsExclusive(t *testing.T) {
	path := pgtest.DSN(t, filepath.Join(t.TempDir(), "c.db"))
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	var dbs []*DB
	for range 2 {
		db, err := Open(context.Background(), path, now)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	queueTest(t, dbs[0], 40)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for _, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := db.ClaimDue(context.Background(), 3, time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("claimed %d of 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
}

// A worker whose claim was taken over cannot overwrite the newer state
// with its late failure; a late acceptance by the provider still counts.
func TestStaleAttemptsDoNotOverwrite(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db := openAt(t, &now)
	queueTest(t, db, 1)
	first, _ := db.ClaimDue(ctx, 1, time.Minute, 5)
	now = now.Add(time.Minute)
	second, _ := db.ClaimDue(ctx, 1, time.Minute, 5)
	if len(first) != 1 || len(second) != 1 || second[0].Attempts != 2 {
		t.Fatalf("claims %+v %+v", first, second)
	}
	if err := db.RecordFailure(ctx, first[0].ID, first[0].Attempts, "late", time.Minute); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.Message(ctx, first[0].ID); m.Status != "sending" {
		t.Fatalf("a stale failure changed the status to %s", m.Status)
	}
	if err := db.RecordSent(ctx, first[0].ID, first[0].Attempts, "p-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFailure(ctx, second[0].ID, second[0].Attempts, "x", 0); err != nil {
		t.Fatal(err)
	}
	m, _ := db.Message(ctx, first[0].ID)
	if m.Status != "sent" || m.ProviderID != "p-1" {
		t.Errorf("status %s provider %q: the provider's acceptance must win", m.Status, m.ProviderID)
	}
	if n, _ := db.OutboxDepth(ctx); n != 0 {
		t.Errorf("depth %d", n)
	}
	if n, _ := db.DeliveryFailures(ctx); n != 3 { // abandoned, late retry, x
		t.Errorf("failures %d", n)
	}
}
