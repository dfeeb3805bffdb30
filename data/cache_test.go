package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"mfadesk/pgtest"
)

func cacheTestCustomer(t *testing.T, db *DB, n int) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), func(tx *Tx) error {
		var err error
		id, err = tx.CreateCustomer(context.Background(), &Customer{
			AccountNumber: fmt.Sprintf("9%07d", n), LoginID: fmt.Sprintf("cache-%d", n), NameKanji: "試験 太郎",
			NameKana: "シケン タロウ", BirthDate: "1950-01-01", Email: "t@example.jp", EmailStatus: "verified",
			PasswordHash: "x", TradingPasswordHash: "x"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func cacheTestSession(t *testing.T, db *DB, customerID int64, hash string) {
	t.Helper()
	now := db.Now()
	if err := db.ReplaceSession(context.Background(), "", &Session{IDHash: hash, Site: SiteCustomer, CustomerID: customerID,
		Level: LevelFull, CSRFToken: "t", CreatedAt: now, LastSeenAt: now}); err != nil {
		t.Fatal(err)
	}
}

// Every change this process commits is seen by the next read, whichever
// way it was written: a transaction, a single statement, a cascade.
func TestCachedReadsSeeEveryCommittedChange(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the read cache is off on PostgreSQL (TestPostgresReadCacheStaysOff)")
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(db *DB, customerID int64) error
		check func(db *DB, customerID int64) error
	}{
		{"session deleted", func(db *DB, _ int64) error { return db.DeleteSession(ctx, "h1") },
			func(db *DB, _ int64) error {
				if _, err := db.SessionByHash(ctx, "h1"); !errors.Is(err, ErrNotFound) {
					return fmt.Errorf("deleted session still read (err %v)", err)
				}
				return nil
			}},
		{"other sessions ended", func(db *DB, id int64) error {
			return db.InTx(ctx, func(tx *Tx) error { return tx.DeleteOtherSessions(ctx, id, "other") })
		}, func(db *DB, _ int64) error {
			if _, err := db.SessionByHash(ctx, "h1"); !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("ended session still read (err %v)", err)
			}
			return nil
		}},
		{"session method set", func(db *DB, _ int64) error { return db.SetSessionMethod(ctx, "h1", "totp") },
			func(db *DB, _ int64) error {
				s, err := db.SessionByHash(ctx, "h1")
				if err != nil || s.Method != "totp" {
					return fmt.Errorf("method %q (err %v), want totp", s.Method, err)
				}
				return nil
			}},
		{"customer locked", func(db *DB, id int64) error {
			return db.InTx(ctx, func(tx *Tx) error {
				return tx.SetMFAFailures(ctx, id, 10, db.Now(), db.Now().Add(time.Hour))
			})
		}, func(db *DB, id int64) error {
			c, err := db.CustomerByID(ctx, id)
			if err != nil || c.MFAFailures != 10 || c.MFALockedUntil.IsZero() {
				return fmt.Errorf("customer %+v (err %v), want locked", c, err)
			}
			return nil
		}},
		{"prompt postponed (single statement)", func(db *DB, id int64) error { return db.PostponePasskeyPrompt(ctx, id) },
			func(db *DB, id int64) error {
				c, err := db.CustomerByID(ctx, id)
				if err != nil || c.PasskeyPromptsPostponed != 1 {
					return fmt.Errorf("postponed %d (err %v), want 1", c.PasskeyPromptsPostponed, err)
				}
				return nil
			}},
		{"factor added", func(db *DB, id int64) error {
			return db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.CreateFactor(ctx, &Factor{CustomerID: id, Kind: "totp", UseLogin: true, ConfirmedAt: db.Now()})
				return err
			})
		}, func(db *DB, id int64) error {
			s, err := db.FactorSummaryOf(ctx, id)
			if err != nil || len(s.Factors) != 1 {
				return fmt.Errorf("summary %+v (err %v), want one factor", s, err)
			}
			return nil
		}},
		{"passkey added", func(db *DB, id int64) error {
			return db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.CreatePasskey(ctx, &Passkey{CustomerID: id, CredentialID: []byte{1, 2, 3},
					CredentialJSON: "{}", Name: "phone", UseLogin: true})
				return err
			})
		}, func(db *DB, id int64) error {
			s, err := db.FactorSummaryOf(ctx, id)
			if err != nil || len(s.Passkeys) != 1 {
				return fmt.Errorf("summary %+v (err %v), want one passkey", s, err)
			}
			return nil
		}},
		{"recovery codes issued", func(db *DB, id int64) error {
			return db.InTx(ctx, func(tx *Tx) error { return tx.ReplaceRecoveryCodes(ctx, id, []string{"h1", "h2"}) })
		}, func(db *DB, id int64) error {
			s, err := db.FactorSummaryOf(ctx, id)
			if err != nil || s.Recovery != 2 {
				return fmt.Errorf("summary %+v (err %v), want 2 recovery codes", s, err)
			}
			return nil
		}},
		{"customer deleted, sessions cascade", func(db *DB, id int64) error {
			return db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, id)
				return err
			})
		}, func(db *DB, id int64) error {
			if _, err := db.SessionByHash(ctx, "h1"); !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("session of a deleted customer still read (err %v)", err)
			}
			if _, err := db.CustomerByID(ctx, id); !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("deleted customer still read (err %v)", err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t)
			id := cacheTestCustomer(t, db, 1)
			cacheTestSession(t, db, id, "h1")
			for range 2 { // the second read is served by the cache
				if _, err := db.SessionByHash(ctx, "h1"); err != nil {
					t.Fatal(err)
				}
				if _, err := db.CustomerByID(ctx, id); err != nil {
					t.Fatal(err)
				}
				if _, err := db.FactorSummaryOf(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
			_, okS := lookup(db.cache, &db.cache.sessions, "h1")
			_, okC := lookup(db.cache, &db.cache.customers, id)
			_, okF := lookup(db.cache, &db.cache.summaries, id)
			if !okS || !okC || !okF {
				t.Fatalf("not cached after two reads (session %v, customer %v, summary %v): the test would prove nothing", okS, okC, okF)
			}
			if err := tt.write(db, id); err != nil {
				t.Fatal(err)
			}
			if err := tt.check(db, id); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Readers racing a writer never leave a value in the cache that is older
// than a commit the writer has finished: after each commit the writer's own
// read must see its value, however the readers interleaved.
func TestCachedReadsRacingWritesNeverGoStale(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	id := cacheTestCustomer(t, db, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.CustomerByID(ctx, id); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for i := 1; i <= 300; i++ {
		err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE customers SET passkey_prompts_postponed = ? WHERE id = ?`, i, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.CustomerByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.PasskeyPromptsPostponed != i {
			t.Fatalf("after commit %d the read gave %d: a stale row was cached", i, c.PasskeyPromptsPostponed)
		}
	}
}

// A change made by another process (an operator's sqlite3, a second
// mfadesk) is not seen by the hooks; it is seen once the entry's time is up.
func TestCachedReadsSeeOtherProcessesWithinTTL(t *testing.T) {
	pgtest.SkipOnPostgres(t, "writes the file through a second SQLite driver")
	ctx := context.Background()
	db := openTestDB(t)
	id := cacheTestCustomer(t, db, 1)
	cacheTestSession(t, db, id, "h1")
	for range 2 {
		if _, err := db.SessionByHash(ctx, "h1"); err != nil {
			t.Fatal(err)
		}
	}
	var path string
	if err := db.sql.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = 'h1'`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(cacheTTL + 2*time.Second)
	for {
		_, err := db.SessionByHash(ctx, "h1")
		if errors.Is(err, ErrNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a session deleted by another process was still read after %v (err %v)", cacheTTL+2*time.Second, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Anonymous sessions are not cached: no customer or staff member's
// changes would tell the cache of theirs.
func TestCacheKeepsOnlyCustomerSessions(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	now := db.Now()
	if err := db.ReplaceSession(ctx, "", &Session{IDHash: "anon", Site: SiteCustomer, Level: LevelAnonymous, CSRFToken: "t",
		CreatedAt: now, LastSeenAt: now}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := db.SessionByHash(ctx, "anon"); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := lookup(db.cache, &db.cache.sessions, "anon"); ok {
		t.Fatal("an anonymous session was cached")
	}
}

// The cache hands out copies: a caller changing what it got changes
// nothing for the next caller.
func TestCachedValuesAreCopies(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	id := cacheTestCustomer(t, db, 1)
	if err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.CreateFactor(ctx, &Factor{CustomerID: id, Kind: "totp", UseLogin: true, ConfirmedAt: db.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		c, err := db.CustomerByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.NameKanji != "試験 太郎" {
			t.Fatalf("name %q: an earlier caller's change reached the cache", c.NameKanji)
		}
		c.NameKanji = "changed"
		s, err := db.FactorSummaryOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Factors[0].UseLogin {
			t.Fatal("factor use changed by an earlier caller")
		}
		s.Factors[0].UseLogin = false
	}
}

// A rotation deletes the old session and stores the new one together: if
// the new one cannot be stored, the old one is still there.
func TestReplaceSessionIsOneChange(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	id := cacheTestCustomer(t, db, 1)
	cacheTestSession(t, db, id, "old")
	cacheTestSession(t, db, id, "taken")
	now := db.Now()
	next := func(hash string) *Session {
		return &Session{IDHash: hash, Site: SiteCustomer, CustomerID: id, Level: LevelFull, CSRFToken: "t",
			CreatedAt: now, LastSeenAt: now}
	}
	if err := db.ReplaceSession(ctx, "old", next("taken")); err == nil {
		t.Fatal("a session stored under a hash already in use")
	}
	if _, err := db.SessionByHash(ctx, "old"); err != nil {
		t.Fatalf("the failed rotation deleted the old session: %v", err)
	}
	if err := db.ReplaceSession(ctx, "old", next("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByHash(ctx, "old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old session after rotation: %v, want not found", err)
	}
	if _, err := db.SessionByHash(ctx, "new"); err != nil {
		t.Errorf("new session after rotation: %v", err)
	}
}

// The cache's maps stay bounded: expired entries go first, and a map
// filled within one TTL starts afresh.
func TestCacheStaysBounded(t *testing.T) {
	c := newReadCache()
	snap := c.snapshot(customerStripe(1))
	for i := range int64(cacheMaxEntries + 10) {
		store(c, &c.customers, i, Customer{ID: i}, snap)
	}
	if n := len(c.customers); n > cacheMaxEntries {
		t.Fatalf("%d entries kept, limit %d", n, cacheMaxEntries)
	}
	// Age all but one entry past the TTL: the next store sweeps them.
	c.customers = map[int64]cached[Customer]{}
	aged := snap
	aged.at = time.Now().Add(-2 * cacheTTL)
	for i := range int64(cacheMaxEntries) {
		c.customers[i] = cached[Customer]{value: Customer{ID: i}, snap: aged}
	}
	fresh := c.snapshot(customerStripe(1))
	c.customers[-1] = cached[Customer]{value: Customer{ID: -1}, snap: fresh}
	store(c, &c.customers, cacheMaxEntries+1, Customer{ID: cacheMaxEntries + 1}, fresh)
	if n := len(c.customers); n != 2 {
		t.Fatalf("%d entries after the sweep, want the fresh one and the new one", n)
	}
	if _, ok := lookup(c, &c.customers, -1); !ok {
		t.Error("the fresh entry was swept")
	}
}
