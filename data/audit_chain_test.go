package data

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func testAuditKey(tb testing.TB, seed byte) *AuditKey {
	tb.Helper()
	k, err := NewAuditKey(bytes.Repeat([]byte{seed}, AuditKeyBytes))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func appendEvents(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := db.InTx(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, AuditEvent{ActorKind: "staff", Actor: "sato", Action: "case.open", Outcome: "success",
				Detail: fmt.Sprintf("n=%d", i), StaffID: 3, StaffRole: "agent", StaffOrg: "support"})
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// appendLegacyEvent writes an event as the code before the keyed chain
// did: plain SHA-256, no key id.
func appendLegacyEvent(t *testing.T, db *DB, action string) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		e := AuditEvent{At: tx.now.UTC(), ActorKind: "system", Actor: "cli", Action: action, Outcome: "success", PrevHash: genesisHash}
		err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&e.PrevHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor_kind, actor, action, outcome, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.At.Unix(), e.ActorKind, e.Actor, e.Action, e.Outcome, e.PrevHash, e.legacyHash())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rewrite edits event from (as someone with the database file would,
// after dropping the append-only triggers) and recomputes the hashes of it
// and every later event with rehash, so the chain fits together again.
func rewrite(t *testing.T, db *DB, from int64, rehash func(*AuditEvent)) {
	t.Helper()
	ctx := context.Background()
	events, err := db.AuditEvents(ctx, AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{dropAuditTrigger(db, `audit_no_update`), dropAuditTrigger(db, `audit_no_delete`)} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	prev := genesisHash
	for i := len(events) - 1; i >= 0; i-- { // oldest first
		e := events[i]
		if e.ID < from {
			prev = e.Hash
			continue
		}
		if e.ID == from {
			e.Detail = "nothing happened"
		}
		e.PrevHash = prev
		rehash(&e)
		prev = e.Hash
		if _, err := db.ExecContext(ctx, `UPDATE audit_events SET detail = ?, prev_hash = ?, hash = ?, key_id = ? WHERE id = ?`,
			e.Detail, e.PrevHash, e.Hash, e.KeyID, e.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// Events written before the chain was keyed keep the hashes the earlier
// code gave them (these were computed by it).
func TestLegacyAuditHashIsUnchanged(t *testing.T) {
	e := AuditEvent{PrevHash: genesisHash, At: time.Unix(1_800_000_000, 0), ActorKind: "staff", Actor: "sato", CustomerID: 7,
		Action: "case.open", Outcome: "success", ClientIP: "192.0.2.1", Detail: "kind=phone"}
	if got := e.legacyHash(); got != "9e95a53969e3fd8792102b43c33c017af22ab695d12d5b1224978a9acf7f8a6d" {
		t.Errorf("legacy hash %s", got)
	}
	e.StaffID, e.StaffRole, e.StaffOrg, e.CaseID = 3, "agent", "support", 9
	if got := e.legacyHash(); got != "41f04a0eddc3497506e1ff4c4f8410f18f7af1d8533303ad9f66e0f32e33fc59" {
		t.Errorf("legacy hash with staff fields %s", got)
	}
}

// A database from before the keyed chain: its events still verify, and
// the keyed events continue the same chain.
func TestLegacyAndKeyedEventsFormOneChain(t *testing.T) {
	db := openTestDB(t)
	for _, a := range []string{"first", "second", "third"} {
		appendLegacyEvent(t, db, a)
	}
	appendEvents(t, db, 2)
	r, err := db.VerifyAuditChain(context.Background(), []*AuditKey{db.AuditKey()})
	if err != nil || r.BrokenID != 0 || r.Events != 5 || r.LegacyUntil != 3 || len(r.KeyIDs) != 1 || r.KeyIDs[0] != db.AuditKey().ID {
		t.Fatalf("report %+v, err %v", r, err)
	}
	events, _ := db.AuditEvents(context.Background(), AuditFilter{Limit: 10})
	if events[1].KeyID != db.AuditKey().ID || events[1].PrevHash != events[2].Hash || events[2].KeyID != "" {
		t.Errorf("the keyed chain does not continue the legacy one: %+v / %+v", events[1], events[2])
	}
}

// Editing an event and recomputing the chain after it fails without the
// audit key, however the hashes are recomputed.
func TestAuditChainRecomputedWithoutTheKeyIsBroken(t *testing.T) {
	wrong := testAuditKey(t, 9)
	tests := []struct {
		name   string
		legacy int // unkeyed events before the keyed ones
		rehash func(real *AuditKey) func(*AuditEvent)
	}{
		{"plain SHA-256, keeping the key id", 0, func(*AuditKey) func(*AuditEvent) {
			return func(e *AuditEvent) { e.Hash = e.legacyHash() }
		}},
		{"plain SHA-256, marked as written before the key", 0, func(*AuditKey) func(*AuditEvent) {
			return func(e *AuditEvent) { e.KeyID, e.Hash = "", e.legacyHash() }
		}},
		{"plain SHA-256 after legacy events, marked as legacy", 2, func(*AuditKey) func(*AuditEvent) {
			return func(e *AuditEvent) { e.KeyID, e.Hash = "", e.legacyHash() }
		}},
		{"another key, under its own id", 0, func(*AuditKey) func(*AuditEvent) {
			return func(e *AuditEvent) { e.KeyID, e.Hash = wrong.ID, e.keyedHash(wrong) }
		}},
		{"another key, under the real key's id", 0, func(real *AuditKey) func(*AuditEvent) {
			return func(e *AuditEvent) {
				e.KeyID = real.ID
				forged := *wrong
				forged.ID = real.ID
				e.Hash = e.keyedHash(&forged)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t)
			for i := 0; i < tt.legacy; i++ {
				appendLegacyEvent(t, db, fmt.Sprintf("legacy-%d", i))
			}
			appendEvents(t, db, 5)
			target := int64(tt.legacy + 3)
			rewrite(t, db, target, tt.rehash(db.AuditKey()))
			r, err := db.VerifyAuditChain(context.Background(), []*AuditKey{db.AuditKey()})
			if err != nil || r.BrokenID != target {
				t.Fatalf("report %+v, err %v; want broken at %d", r, err, target)
			}
		})
	}
}

// After a rotation the old events verify with the old key given, and not
// without it; a retired key cannot chain events after its successor.
func TestAuditKeyRotation(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	oldKey, newKey := db.AuditKey(), testAuditKey(t, 2)
	appendEvents(t, db, 2)
	db.SetAuditKey(newKey)
	appendEvents(t, db, 2)
	r, err := db.VerifyAuditChain(ctx, []*AuditKey{newKey})
	if err != nil || r.BrokenID != 1 || r.UnknownKeyID != oldKey.ID {
		t.Fatalf("without the old key: %+v, %v", r, err)
	}
	r, err = db.VerifyAuditChain(ctx, []*AuditKey{oldKey, newKey})
	if err != nil || r.BrokenID != 0 || strings.Join(r.KeyIDs, ",") != oldKey.ID+","+newKey.ID {
		t.Fatalf("with both keys: %+v, %v", r, err)
	}
	db.SetAuditKey(oldKey) // e.g. the retired key leaked
	appendEvents(t, db, 1)
	r, err = db.VerifyAuditChain(ctx, []*AuditKey{oldKey, newKey})
	if err != nil || r.BrokenID != 5 || !strings.Contains(r.Reason, "retired") {
		t.Fatalf("retired key used again: %+v, %v", r, err)
	}
}

// Writers in parallel still make one chain: each event follows the one
// committed before it.
func TestConcurrentAuditAppendsFormOneChain(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	const writers, each = 8, 10
	start := make(chan struct{})
	errs := make(chan error, writers*each)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < each; i++ {
				errs <- db.InTx(ctx, func(tx *Tx) error {
					return tx.Audit(ctx, AuditEvent{ActorKind: "customer", Actor: fmt.Sprint(w), Action: "login", Outcome: "success"})
				})
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := db.VerifyAuditChain(ctx, []*AuditKey{db.AuditKey()})
	if err != nil || r.BrokenID != 0 || r.Events != writers*each {
		t.Fatalf("report %+v, err %v", r, err)
	}
}

// Without a key nothing is written unkeyed.
func TestAuditRefusesWithoutKey(t *testing.T) {
	db := openTestDB(t)
	db.SetAuditKey(nil)
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, AuditEvent{Action: "x"}) }); err == nil {
		t.Fatal("an event was written without an audit key")
	}
}

// dropAuditTrigger is the statement dropping one of the audit trail's
// append-only triggers: PostgreSQL names a trigger's table.
func dropAuditTrigger(db *DB, name string) string {
	return pick(db.engine, `DROP TRIGGER IF EXISTS `+name, `DROP TRIGGER IF EXISTS `+name+` ON audit_events`)
}
