package data

import (
	"context"
	"fmt"
	"time"
)

// ReserveAttempt takes one attempt from the budget under key: limit per
// window starting at windowStart or later (an older window counts as
// none). It reports false, changing nothing, when the budget is spent.
// One conditional upsert: of parallel reservations at most limit win.
func (tx *Tx) ReserveAttempt(ctx context.Context, key string, limit int, since time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO attempt_budgets (key, used, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			used = CASE WHEN attempt_budgets.window_start < ? THEN 1 ELSE attempt_budgets.used + 1 END,
			window_start = CASE WHEN attempt_budgets.window_start < ? THEN excluded.window_start ELSE attempt_budgets.window_start END
		WHERE attempt_budgets.window_start < ? OR attempt_budgets.used < ?`,
		key, tx.now.Unix(), since.Unix(), since.Unix(), since.Unix(), limit)
	if err != nil {
		return false, fmt.Errorf("reserve attempt: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("reserve attempt: %w", err)
	}
	return n == 1, nil
}

// ReleaseAttempt gives back an attempt reserved under key whose check
// succeeded: only failures spend the budget.
func (tx *Tx) ReleaseAttempt(ctx context.Context, key string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE attempt_budgets SET used = used - 1 WHERE key = ? AND used > 0`, key); err != nil {
		return fmt.Errorf("release attempt: %w", err)
	}
	return nil
}
