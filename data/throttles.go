package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ThrottleFailures returns the failures counted under key within the
// window that started after since; an older window counts as none.
func (db *DB) ThrottleFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var failures int
	var start int64
	err := db.QueryRowContext(ctx, `SELECT failures, window_start FROM throttles WHERE key = ?`, key).
		Scan(&failures, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("throttle %s: %w", key, err)
	}
	if start < since.Unix() {
		return 0, nil
	}
	return failures, nil
}

// ReserveThrottle counts one attempt under key before it is made, unless
// limit attempts already count in the window that started after since (a
// stored window older than that starts over at this attempt). It reports
// whether the attempt may go ahead. It is one conditional upsert, so
// parallel callers, in this process or another, and on any database with
// INSERT ... ON CONFLICT ... WHERE ... RETURNING, get at most limit
// reservations a window between them: nothing is checked first and
// counted later. An attempt that fails keeps its reservation as its
// failure; one that succeeds gives it back (RefundThrottle) or clears the
// key (ClearThrottle).
func (db *DB) ReserveThrottle(ctx context.Context, key string, limit int, since time.Time) (bool, error) {
	if limit < 1 {
		return false, nil
	}
	start := since.Unix()
	var failures int
	// In a transaction of its own, so PostgreSQL gets its placeholders
	// and its write lock like every other write.
	err := db.InTx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO throttles (key, failures, window_start) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN throttles.window_start < ? THEN 1 ELSE throttles.failures + 1 END,
				window_start = CASE WHEN throttles.window_start < ? THEN excluded.window_start ELSE throttles.window_start END
			WHERE throttles.window_start < ? OR throttles.failures < ?
			RETURNING failures`,
			key, db.unix(), start, start, start, limit).Scan(&failures)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // the WHERE refused the update: the limit is reached
	}
	if err != nil {
		return false, fmt.Errorf("reserve throttle %s: %w", key, err)
	}
	return true, nil
}

// RefundThrottle gives back one reservation under key: the attempt it was
// made for succeeded, or its password was never looked at.
func (tx *Tx) RefundThrottle(ctx context.Context, key string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE throttles SET failures = failures - 1 WHERE key = ? AND failures > 0`, key); err != nil {
		return fmt.Errorf("refund throttle: %w", err)
	}
	return nil
}

// AddThrottleFailure counts one failure under key, starting a new window
// when the stored one began before since.
func (tx *Tx) AddThrottleFailure(ctx context.Context, key string, since time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO throttles (key, failures, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN throttles.window_start < ? THEN 1 ELSE throttles.failures + 1 END,
			window_start = CASE WHEN throttles.window_start < ? THEN excluded.window_start ELSE throttles.window_start END`,
		key, tx.now.Unix(), since.Unix(), since.Unix())
	if err != nil {
		return fmt.Errorf("add throttle failure: %w", err)
	}
	return nil
}

// ClearThrottle forgets the failures under key (after a success).
func (tx *Tx) ClearThrottle(ctx context.Context, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM throttles WHERE key = ?`, key); err != nil {
		return fmt.Errorf("clear throttle: %w", err)
	}
	return nil
}
