package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TakeResetResend counts one new code asked for by the reset session
// sessionHash, unless limit were already counted, or the session began or
// the last one was counted gap ago or less (whole seconds: strictly more,
// so the code sent just after either is past its own cool-down too). It is one conditional
// upsert in the transaction, so of parallel requests at most one a gap,
// and at most limit in all, are counted. When refused, spent tells
// whether the limit (not the gap) refused it.
func (tx *Tx) TakeResetResend(ctx context.Context, sessionHash string, limit int, gap time.Duration) (ok, spent bool, err error) {
	cutoff := tx.now.Add(-gap).Unix()
	res, err := tx.ExecContext(ctx, `INSERT INTO reset_resends (session_hash, sent, last_at)
		SELECT id_hash, 1, ? FROM sessions WHERE id_hash = ? AND created_at < ?
		ON CONFLICT (session_hash) DO UPDATE SET sent = reset_resends.sent + 1, last_at = excluded.last_at
		WHERE reset_resends.sent < ? AND reset_resends.last_at < ?`,
		tx.now.Unix(), sessionHash, cutoff, limit, cutoff)
	if err != nil {
		return false, false, fmt.Errorf("take reset resend: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, false, fmt.Errorf("take reset resend: %w", err)
	}
	if n == 1 {
		return true, false, nil
	}
	var sent int
	err = tx.QueryRowContext(ctx, `SELECT sent FROM reset_resends WHERE session_hash = ?`, sessionHash).Scan(&sent)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("take reset resend: %w", err)
	}
	return false, sent >= limit, nil
}
