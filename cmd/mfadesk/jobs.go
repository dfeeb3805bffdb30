package main

import (
	"context"
	"fmt"
	"mfadesk/data"
	"os"
	"time"
)

// Scheduled jobs and their periods. Every instance ticks; the database
// decides which one runs a period (data.ClaimJobRun), so several instances
// on one database sweep and snapshot once, not once each
// (docs/operations.md, "Several instances on PostgreSQL").
const (
	jobSweep         = "sweep"
	sweepInterval    = 10 * time.Minute
	jobAdoption      = "adoption-snapshot"
	adoptionInterval = 6 * time.Hour
	// jobRunsKept is how long the record of who ran a period is kept.
	jobRunsKept = 7 * 24 * time.Hour
)

// runJob runs fn if this instance is the first to claim job's current
// period (periods of length every, at the app's clock), and says whether
// it ran.
func (a *App) runJob(ctx context.Context, job string, every time.Duration, fn func(context.Context) error) (bool, error) {
	ok, err := a.DB.ClaimJobRun(ctx, job, data.JobPeriod(a.now(), every), instanceName())
	if err != nil || !ok {
		return false, err
	}
	if err := fn(ctx); err != nil {
		return true, fmt.Errorf("%s: %w", job, err)
	}
	return true, nil
}

// scheduleJob tries job at start and then every interval until ctx ends.
func (a *App) scheduleJob(ctx context.Context, job string, every time.Duration, fn func(context.Context) error) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := a.runJob(ctx, job, every, fn); err != nil && ctx.Err() == nil {
			a.Log.Error("scheduled job", "job", job, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// snapshotAdoption records the day's MFA adoption for the rollout report
// (a day's row is replaced, not added), so the chart has a point for
// every day a server ran.
func (a *App) snapshotAdoption(ctx context.Context) error {
	_, err := a.Support.SnapshotAdoption(ctx)
	return err
}

// instanceName names this process in job_runs: host and process id.
func instanceName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}
