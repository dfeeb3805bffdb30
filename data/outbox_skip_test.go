package data

import (
	"context"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// On PostgreSQL a worker's claim passes over a message whose row another
// transaction holds (another instance's worker in the middle of its
// claim) and takes the rest, instead of waiting for it.
func TestPostgresClaimSkipsLockedMessages(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	var dbs []*DB
	for range 2 {
		db, err := Open(ctx, dsn, now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	queueTest(t, dbs[0], 3)
	conn, err := dbs[0].sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	holder, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	var held int64
	if err := holder.QueryRowContext(ctx, `SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	claimed, err := dbs[1].ClaimDue(ctx, 10, time.Minute, 3)
	if err != nil {
		t.Fatalf("claim while another transaction holds message %d: %v", held, err)
	}
	if len(claimed) != 2 {
		t.Fatalf("claimed %d messages, want the 2 not held", len(claimed))
	}
	for _, m := range claimed {
		if m.ID == held {
			t.Errorf("claimed message %d, which another transaction holds", held)
		}
	}
}
