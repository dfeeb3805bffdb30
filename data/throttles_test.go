package data

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// A reservation is one conditional statement: it counts the attempt and
// refuses past the limit, starts over in a new window, and a refund gives
// one place back.
func TestReserveThrottle(t *testing.T) {
	type step struct {
		at     time.Duration // clock, from the start
		action string        // reserve, refund, clear
		want   bool          // reserve: granted
		count  int           // failures counted in the window afterwards
	}
	const limit, window = 3, 15 * time.Minute
	tests := []struct {
		name  string
		steps []step
	}{
		{"up to the limit, then refused", []step{
			{0, "reserve", true, 1}, {0, "reserve", true, 2}, {time.Minute, "reserve", true, 3},
			{time.Minute, "reserve", false, 3}, {2 * time.Minute, "reserve", false, 3},
		}},
		{"a new window starts over", []step{
			{0, "reserve", true, 1}, {0, "reserve", true, 2}, {0, "reserve", true, 3}, {0, "reserve", false, 3},
			{window - time.Second, "reserve", false, 3},
			{window + time.Second, "reserve", true, 1}, {window + time.Second, "reserve", true, 2},
		}},
		{"a refund gives one place back", []step{
			{0, "reserve", true, 1}, {0, "reserve", true, 2}, {0, "reserve", true, 3}, {0, "reserve", false, 3},
			{0, "refund", false, 2}, {0, "reserve", true, 3}, {0, "reserve", false, 3},
		}},
		{"a refund never goes below zero", []step{
			{0, "refund", false, 0}, {0, "reserve", true, 1}, {0, "refund", false, 0}, {0, "refund", false, 0},
			{0, "reserve", true, 1},
		}},
		{"a clear starts over", []step{
			{0, "reserve", true, 1}, {0, "reserve", true, 2}, {0, "reserve", true, 3},
			{0, "clear", false, 0}, {0, "reserve", true, 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			start := time.Unix(1_800_000_000, 0)
			var now atomic.Int64
			now.Store(start.Unix())
			db, err := Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return time.Unix(now.Load(), 0) })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			for i, s := range tt.steps {
				now.Store(start.Add(s.at).Unix())
				since := db.Now().Add(-window)
				switch s.action {
				case "reserve":
					got, err := db.ReserveThrottle(ctx, "k", limit, since)
					if err != nil || got != s.want {
						t.Fatalf("step %d: reserve = %v, %v; want %v", i, got, err, s.want)
					}
				case "refund":
					if err := db.InTx(ctx, func(tx *Tx) error { return tx.RefundThrottle(ctx, "k") }); err != nil {
						t.Fatal(err)
					}
				case "clear":
					if err := db.InTx(ctx, func(tx *Tx) error { return tx.ClearThrottle(ctx, "k") }); err != nil {
						t.Fatal(err)
					}
				}
				if n, err := db.ThrottleFailures(ctx, "k", since); err != nil || n != s.count {
					t.Fatalf("step %d (%s): %d failures (err %v), want %d", i, s.action, n, err, s.count)
				}
			}
		})
	}
}

// Parallel reservations through two handles on one file, as two
// processes would make them, get exactly the limit between them.
func TestReserveThrottleParallel(t *testing.T) {
	ctx := context.Background()
	path := pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db"))
	clock := func() time.Time { return time.Unix(1_800_000_000, 0) }
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(ctx, path, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	const limit, tries = 5, 40
	since := clock().Add(-time.Hour)
	var granted atomic.Int64
	var wg sync.WaitGroup
	barrier := make(chan struct{})
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-barrier
			ok, err := dbs[i%2].ReserveThrottle(ctx, "k", limit, since)
			if err != nil {
				t.Error(err)
			}
			if ok {
				granted.Add(1)
			}
		}()
	}
	close(barrier)
	wg.Wait()
	if n := granted.Load(); n != limit {
		t.Fatalf("%d reservations granted to %d parallel tries, want %d", n, tries, limit)
	}
}
