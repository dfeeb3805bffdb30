package main

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// multiEngines runs fn once per engine with the DSN of a fresh shared
// database.
func multiEngines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "shared.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, multiDSN(t)) })
}

// Scheduled jobs run once per period however many instances tick in it:
// both instances' schedulers fire at the same moment, in parallel, for
// the sweep and the adoption snapshot; each job runs once, and again
// once in the next period.
func TestMultiScheduledJobsRunOnce(t *testing.T) {
	multiEngines(t, func(t *testing.T, dsn string) {
		apps := newInstances(t, dsn, 2)
		ctx := context.Background()
		jobs := []struct {
			name  string
			every time.Duration
			run   func(a *App) func(context.Context) error
		}{
			{jobSweep, sweepInterval, func(a *App) func(context.Context) error { return a.sweep }},
			{jobAdoption, adoptionInterval, func(a *App) func(context.Context) error { return a.snapshotAdoption }},
		}
		for _, job := range jobs {
			for period := range 2 {
				var ran atomic.Int32
				var start, wg sync.WaitGroup
				start.Add(1)
				for i := range 6 {
					a := apps[i%2].App
					wg.Add(1)
					go func() {
						defer wg.Done()
						start.Wait()
						counted := func(ctx context.Context) error {
							ran.Add(1)
							return job.run(a)(ctx)
						}
						if _, err := a.runJob(ctx, job.name, job.every, counted); err != nil {
							t.Error(err)
						}
					}()
				}
				start.Done()
				wg.Wait()
				if n := ran.Load(); n != 1 {
					t.Fatalf("%s period %d: ran %d times on two instances, want once", job.name, period, n)
				}
				apps[0].clock.Advance(job.every)
			}
		}
	})
}
