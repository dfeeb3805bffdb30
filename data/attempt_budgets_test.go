package data

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// A budget gives out limit attempts per window, a released attempt can
// be taken again, and a new window starts from nothing.
func TestAttemptBudget(t *testing.T) {
	var now atomic.Int64
	now.Store(1_800_000_000)
	db, err := Open(context.Background(), pgtest.DSN(t, filepath.Join(t.TempDir(), "test.db")), func() time.Time { return time.Unix(now.Load(), 0) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	reserve := func(key string) bool {
		t.Helper()
		var ok bool
		if err := db.InTx(ctx, func(tx *Tx) error {
			var err error
			ok, err = tx.ReserveAttempt(ctx, key, 3, tx.Now().Add(-time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i := 0; i < 3; i++ {
		if !reserve("k") {
			t.Fatalf("attempt %d refused within the budget", i+1)
		}
	}
	if reserve("k") {
		t.Fatal("4th attempt of 3 reserved")
	}
	if !reserve("other") {
		t.Fatal("another key shares the budget")
	}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.ReleaseAttempt(ctx, "k") }); err != nil {
		t.Fatal(err)
	}
	if !reserve("k") || reserve("k") {
		t.Fatal("a released attempt is not exactly one attempt back")
	}
	now.Add(int64(time.Hour/time.Second) + 1)
	for i := 0; i < 3; i++ {
		if !reserve("k") {
			t.Fatalf("attempt %d of a new window refused", i+1)
		}
	}
	if reserve("k") {
		t.Fatal("a new window has more than the budget")
	}
}
