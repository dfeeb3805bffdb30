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

// sharedDatabases runs fn once per engine with open, which opens another
// handle (another instance) on one database of that engine.
func sharedDatabases(t *testing.T, now func() time.Time, fn func(t *testing.T, open func() *DB)) {
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "shared.db") },
		"postgres": func(t *testing.T) string { return pgtest.NewDatabase(t) },
	}
	for name, dsn := range engines {
		t.Run(name, func(t *testing.T) {
			target := dsn(t)
			fn(t, func() *DB {
				t.Helper()
				db, err := Open(context.Background(), target, now)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			})
		})
	}
}

// Two instances whose schedulers tick in the same period: whoever claims
// it runs it, the other does not, however they interleave; the next
// period is claimed afresh.
func TestJobRunsOncePerPeriodAcrossInstances(t *testing.T) {
	var mu sync.Mutex
	clock := time.Unix(1_800_000_123, 0)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	sharedDatabases(t, now, func(t *testing.T, open func() *DB) {
		dbs := []*DB{open(), open()}
		ctx := context.Background()
		for round := range 3 {
			period := JobPeriod(now(), 10*time.Minute)
			var won atomic.Int32
			var start, wg sync.WaitGroup
			start.Add(1)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start.Wait()
					ok, err := dbs[i%2].ClaimJobRun(ctx, "sweep", period, "instance")
					if err != nil {
						t.Error(err)
					}
					if ok {
						won.Add(1)
					}
				}()
			}
			start.Done()
			wg.Wait()
			if n := won.Load(); n != 1 {
				t.Fatalf("round %d: %d of 8 claims of one period won, want 1", round, n)
			}
			mu.Lock()
			clock = clock.Add(10 * time.Minute)
			mu.Unlock()
		}
		runs, err := dbs[1].JobRuns(ctx, "sweep")
		if err != nil || len(runs) != 3 {
			t.Fatalf("job runs %+v, %v: want one per period", runs, err)
		}
		if err := dbs[0].DeleteJobRunsBefore(ctx, runs[2].Period); err != nil {
			t.Fatal(err)
		}
		if runs, _ := dbs[0].JobRuns(ctx, "sweep"); len(runs) != 1 {
			t.Errorf("after deleting old runs: %+v", runs)
		}
	})
}

func TestJobPeriod(t *testing.T) {
	for _, tc := range []struct {
		at    int64
		every time.Duration
		want  int64
	}{
		{1_800_000_123, 10 * time.Minute, 1_800_000_000},
		{1_800_000_000, 10 * time.Minute, 1_800_000_000},
		{1_800_000_599, 10 * time.Minute, 1_800_000_000},
		{1_800_000_600, 10 * time.Minute, 1_800_000_600},
		{1_800_014_400, 6 * time.Hour, 1_800_014_400},
		{1_800_014_399, 6 * time.Hour, 1_799_992_800},
	} {
		if got := JobPeriod(time.Unix(tc.at, 0), tc.every).Unix(); got != tc.want {
			t.Errorf("JobPeriod(%d, %s) = %d, want %d", tc.at, tc.every, got, tc.want)
		}
	}
}
