package data

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// A reset session's resends: none in the first gap after the session
// began, then one a gap, up to the limit; the count goes with the session.
func TestTakeResetResend(t *testing.T) {
	ctx := context.Background()
	start := time.Unix(1_800_000_000, 0)
	now := start
	db, err := Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ok, err := db.CreateAnonymousSession(ctx, &Session{IDHash: "flow", Site: SiteCustomer, Level: LevelAnonymous,
		CSRFToken: "t", ClientIP: "192.0.2.1", CreatedAt: start, LastSeenAt: start}, start.Add(-time.Hour), 10); !ok || err != nil {
		t.Fatalf("session: %v %v", ok, err)
	}
	const limit, gap = 3, time.Minute
	steps := []struct {
		at        time.Duration // from the session's start
		ok, spent bool
	}{
		{0, false, false},
		{60 * time.Second, false, false},
		{61 * time.Second, true, false},
		{121 * time.Second, false, false},
		{122 * time.Second, true, false},
		{185 * time.Second, true, false},
		{300 * time.Second, false, true},
		{time.Hour, false, true},
	}
	for _, st := range steps {
		now = start.Add(st.at)
		var ok, spent bool
		err := db.InTx(ctx, func(tx *Tx) error {
			var err error
			ok, spent, err = tx.TakeResetResend(ctx, "flow", limit, gap)
			return err
		})
		if err != nil || ok != st.ok || spent != st.spent {
			t.Errorf("at %s: ok=%v spent=%v err=%v, want ok=%v spent=%v", st.at, ok, spent, err, st.ok, st.spent)
		}
	}
	// No session, no count; an ended session takes its count along.
	err = db.InTx(ctx, func(tx *Tx) error {
		ok, _, err := tx.TakeResetResend(ctx, "no-such-flow", limit, gap)
		if ok || err != nil {
			t.Errorf("unknown session: %v %v", ok, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, "flow"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, `reset_resends`); n != 0 {
		t.Errorf("%d resend counts left after the session ended", n)
	}
}
