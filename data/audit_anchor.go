package data

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// AuditAnchor is the head of the audit trail at one moment, kept outside
// the database (an append-only file, and the logs) so that removing the
// newest events, which leaves a shorter chain that still fits together,
// shows. Its MAC is under the audit key, so someone who can write only the
// database cannot make anchors that agree with a truncated trail.
type AuditAnchor struct {
	At     time.Time `json:"at"`
	Events int64     `json:"events"`
	LastID int64     `json:"last_id"`
	Hash   string    `json:"hash"`
	KeyID  string    `json:"key_id"`
	MAC    string    `json:"mac"`
	// Line is where the anchor was read from, for messages.
	Line int `json:"-"`
}

// mac is the anchor's HMAC under k's anchor key, over every field but the
// MAC itself, length-prefixed.
func (a AuditAnchor) mac(k *AuditKey) string {
	m := hmac.New(sha256.New, k.anchor)
	for _, f := range []string{strconv.FormatInt(a.At.Unix(), 10), strconv.FormatInt(a.Events, 10),
		strconv.FormatInt(a.LastID, 10), a.Hash, a.KeyID} {
		m.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// AuditHead is the trail's head now, as an anchor signed with the
// database's audit key. One statement reads the count and the newest
// event, so they belong together.
func (db *DB) AuditHead(ctx context.Context) (AuditAnchor, error) {
	if db.auditKey == nil {
		return AuditAnchor{}, errors.New("audit head: no audit key set")
	}
	a := AuditAnchor{At: db.now().UTC().Truncate(time.Second), Hash: genesisHash, KeyID: db.auditKey.ID}
	err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM audit_events), id, hash
		FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&a.Events, &a.LastID, &a.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return AuditAnchor{}, fmt.Errorf("audit head: %w", err)
	}
	a.MAC = a.mac(db.auditKey)
	return a, nil
}

// ReadAuditAnchors reads anchors, one JSON object a line: the anchor file,
// or shipped JSON log lines, of which those whose msg is not
// "audit anchor" are skipped.
func ReadAuditAnchors(r io.Reader) ([]AuditAnchor, error) {
	var out []AuditAnchor
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var line struct {
			AuditAnchor
			Msg string `json:"msg"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("anchor line %d: %w", n, err)
		}
		if line.Msg != "" && line.Msg != "audit anchor" {
			continue
		}
		line.AuditAnchor.Line = n
		out = append(out, line.AuditAnchor)
	}
	return out, sc.Err()
}

// CheckAuditAnchors compares the trail with every anchor and describes
// each disagreement: an anchor that is forged or edited, one whose newest
// event is gone (the trail was cut short), or one whose newest event is
// different now (the trail was cut and grown again, or rewritten). Of
// the anchors that show missing events only the newest is named, as it
// names them all.
func (db *DB) CheckAuditAnchors(ctx context.Context, anchors []AuditAnchor, keys []*AuditKey) ([]string, error) {
	ring := auditKeyRing(keys)
	var problems []string
	missing := ""
	var missingUpTo int64
	for _, a := range anchors {
		seen := fmt.Sprintf("anchor of %s saw %s events up to id %d", a.At.UTC().Format("2006-01-02 15:04:05 MST"),
			thousands(a.Events), a.LastID)
		where := fmt.Sprintf(" (anchor line %d)", a.Line)
		k := ring[a.KeyID]
		switch {
		case k == nil:
			problems = append(problems, fmt.Sprintf("%s under audit key %s, which verify was not given%s", seen, a.KeyID, where))
			continue
		case !hmac.Equal([]byte(a.mac(k)), []byte(a.MAC)):
			problems = append(problems, fmt.Sprintf("anchor line %d: its MAC does not match: the line was edited or forged", a.Line))
			continue
		case a.LastID == 0:
			continue
		}
		var have, maxID int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM audit_events WHERE id <= ?`,
			a.LastID).Scan(&have, &maxID); err != nil {
			return nil, fmt.Errorf("audit anchors: %w", err)
		}
		var hash string
		err := db.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE id = ?`, a.LastID).Scan(&hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("audit anchors: %w", err)
		}
		switch {
		case maxID < a.LastID:
			if a.LastID > missingUpTo {
				missingUpTo = a.LastID
				missing = fmt.Sprintf("%s; the database has %s: %s missing%s", seen, thousands(have), idRange(maxID+1, a.LastID), where)
			}
		case hash != a.Hash:
			problems = append(problems, fmt.Sprintf("%s; the database's event %d is another one: events up to %d were removed and replaced, or rewritten%s",
				seen, a.LastID, a.LastID, where))
		case have != a.Events:
			problems = append(problems, fmt.Sprintf("%s; the database has %s up to there: events before id %d were removed%s",
				seen, thousands(have), a.LastID, where))
		}
	}
	if missing != "" {
		problems = append(problems, missing)
	}
	return problems, nil
}

// idRange names the events from..to: "event 7" or "events 1041–1050 are".
func idRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("event %d is", from)
	}
	return fmt.Sprintf("events %d–%d are", from, to)
}

// thousands writes a count with thousands separators: 1,050.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
