package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func anchorNow(t *testing.T, db *DB, line int) AuditAnchor {
	t.Helper()
	a, err := db.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a.Line = line
	return a
}

func checkAnchors(t *testing.T, db *DB, anchors []AuditAnchor, keys ...*AuditKey) []string {
	t.Helper()
	if len(keys) == 0 {
		keys = []*AuditKey{db.AuditKey()}
	}
	problems, err := db.CheckAuditAnchors(context.Background(), anchors, keys)
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

func deleteFrom(t *testing.T, db *DB, id int64) {
	t.Helper()
	queries := []string{dropAuditTrigger(db, `audit_no_delete`), fmt.Sprintf(`DELETE FROM audit_events WHERE id >= %d`, id)}
	if db.engine == Postgres {
		// SQLite gives the next event the id after the newest left; on
		// PostgreSQL whoever cuts the trail rewinds the id sequence too.
		queries = append(queries, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('audit_events', 'id'), %d)`, id-1))
	}
	for _, q := range queries {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// Removing the newest events leaves a chain that fits together; the
// anchors name what is missing.
func TestAuditAnchorsNameTruncatedEvents(t *testing.T) {
	db := openTestDB(t)
	appendEvents(t, db, 8)
	early := anchorNow(t, db, 1)
	appendEvents(t, db, 1042)
	late := anchorNow(t, db, 2)
	anchors := []AuditAnchor{early, late}
	if p := checkAnchors(t, db, anchors); len(p) != 0 {
		t.Fatalf("untouched trail: %q", p)
	}

	deleteFrom(t, db, 1041)
	if r, err := db.VerifyAuditChain(context.Background(), []*AuditKey{db.AuditKey()}); err != nil || r.BrokenID != 0 {
		t.Fatalf("the cut chain should fit together on its own: %+v %v", r, err)
	}
	p := checkAnchors(t, db, anchors)
	want := "saw 1,050 events up to id 1050; the database has 1,040: events 1041–1050 are missing (anchor line 2)"
	if len(p) != 1 || !strings.HasPrefix(p[0], "anchor of 2027-01-15 08:00:00 UTC") || !strings.HasSuffix(p[0], want) {
		t.Fatalf("problems %q, want one ending %q", p, want)
	}

	// Grown back to the same length, the newest event is another one.
	appendEvents(t, db, 10)
	p = checkAnchors(t, db, anchors)
	if len(p) != 1 || !strings.Contains(p[0], "event 1050 is another one") {
		t.Fatalf("problems %q", p)
	}
}

// Recomputing every keyed event as unkeyed makes a chain that fits
// together, but not the anchors.
func TestAuditAnchorsCatchAWholeChainRecomputedUnkeyed(t *testing.T) {
	db := openTestDB(t)
	appendEvents(t, db, 5)
	anchors := []AuditAnchor{anchorNow(t, db, 1)}
	rewrite(t, db, 1, func(e *AuditEvent) { e.KeyID, e.Hash = "", e.legacyHash() })
	if r, _ := db.VerifyAuditChain(context.Background(), nil); r.BrokenID != 0 {
		t.Fatalf("report %+v", r)
	}
	if p := checkAnchors(t, db, anchors); len(p) != 1 || !strings.Contains(p[0], "event 5 is another one") {
		t.Fatalf("problems %q", p)
	}
}

// An anchor is HMACed under the audit key: an edited or made-up line, or
// one under a key verify does not have, is a problem.
func TestAuditAnchorsAreAuthenticated(t *testing.T) {
	db := openTestDB(t)
	appendEvents(t, db, 5)
	a := anchorNow(t, db, 1)
	edited := a
	edited.Events, edited.LastID = 4, 4
	forged := edited
	forged.MAC = forged.mac(testAuditKey(t, 7)) // under a key the attacker chose
	other := a
	other.KeyID = testAuditKey(t, 7).ID
	p := checkAnchors(t, db, []AuditAnchor{a, edited, forged, other})
	if len(p) != 3 || !strings.Contains(p[0], "MAC does not match") || !strings.Contains(p[1], "MAC does not match") ||
		!strings.Contains(p[2], "which verify was not given") {
		t.Fatalf("problems %q", p)
	}
}

// The anchor file's lines and the shipped JSON log lines read the same;
// other log lines are skipped.
func TestReadAuditAnchors(t *testing.T) {
	db := openTestDB(t)
	appendEvents(t, db, 3)
	a := anchorNow(t, db, 0)
	line, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	logLine := fmt.Sprintf(`{"time":"2027-01-15T17:00:00+09:00","level":"INFO","msg":"audit anchor","at":%q,"events":3,"last_id":3,"hash":%q,"key_id":%q,"mac":%q}`,
		a.At.Format("2006-01-02T15:04:05Z07:00"), a.Hash, a.KeyID, a.MAC)
	in := string(line) + "\n\n" + `{"level":"INFO","msg":"delivery worker started"}` + "\n" + logLine + "\n"
	got, err := ReadAuditAnchors(strings.NewReader(in))
	if err != nil || len(got) != 2 || got[0].Line != 1 || got[1].Line != 4 {
		t.Fatalf("anchors %+v, err %v", got, err)
	}
	if p := checkAnchors(t, db, got); len(p) != 0 {
		t.Fatalf("problems %q", p)
	}
	if _, err := ReadAuditAnchors(strings.NewReader("not json\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("garbage: %v", err)
	}
}
