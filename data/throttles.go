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
