package data

import (
	"context"
	"fmt"
	"time"
)

// JobPeriod is the start of the period of length every that t falls in,
// counted from the Unix epoch so that every instance agrees on it.
func JobPeriod(t time.Time, every time.Duration) time.Time {
	secs := int64(every / time.Second)
	if secs <= 0 {
		return t
	}
	u := t.Unix()
	return time.Unix(u-u%secs, 0)
}

// ClaimJobRun claims job's run for the period starting at period on
// behalf of holder. It reports true to exactly one caller per (job,
// period), whichever instance asks: the row's primary key makes the
// second insert a no-op. A run that fails after its claim is not retried
// in the same period; the next period runs it again.
func (db *DB) ClaimJobRun(ctx context.Context, job string, period time.Time, holder string) (bool, error) {
	var claimed bool
	err := db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, period, holder, started_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (job, period) DO NOTHING`, job, period.Unix(), holder, tx.now.Unix())
		if err != nil {
			return fmt.Errorf("claim job %s: %w", job, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("claim job %s: %w", job, err)
		}
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// JobRun is one claimed period of a scheduled job.
type JobRun struct {
	Job       string
	Period    time.Time
	Holder    string
	StartedAt time.Time
}

// JobRuns lists the claimed runs of job, oldest first.
func (db *DB) JobRuns(ctx context.Context, job string) ([]JobRun, error) {
	rows, err := db.QueryContext(ctx, `SELECT job, period, holder, started_at FROM job_runs WHERE job = ? ORDER BY period`, job)
	if err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		var period, started int64
		if err := rows.Scan(&r.Job, &period, &r.Holder, &started); err != nil {
			return nil, fmt.Errorf("scan job run: %w", err)
		}
		r.Period, r.StartedAt = time.Unix(period, 0), time.Unix(started, 0)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteJobRunsBefore forgets the claims of periods that started before
// t: only the current period's claim matters, the rest are history.
func (db *DB) DeleteJobRunsBefore(ctx context.Context, t time.Time) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM job_runs WHERE period < ?`, t.Unix()); err != nil {
			return fmt.Errorf("delete old job runs: %w", err)
		}
		return nil
	})
}
