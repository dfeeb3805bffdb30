package data

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// AuditKey keys the audit trail: each event's hash is an HMAC-SHA256 under
// it, so someone who can write the database but has not the key cannot
// recompute the chain after editing or removing an event. ID names the key
// in every event and anchor, so verify picks the right key after a
// rotation; it is derived one-way and tells nothing of the key.
type AuditKey struct {
	ID     string
	chain  []byte
	anchor []byte
}

// AuditKeyBytes is the length of a configured audit key.
const AuditKeyBytes = 32

// DevAuditKey is the audit key of development runs and of a database
// opened without SetAuditKey (tests, tools). It is public: production
// refuses it, and verify given the real key reports any event chained
// under it.
func DevAuditKey() []byte {
	sum := sha256.Sum256([]byte("mfadesk development audit key - never use in production"))
	return sum[:]
}

// NewAuditKey makes the chain and anchor keys out of a configured
// 32-byte secret, each for its own purpose.
func NewAuditKey(secret []byte) (*AuditKey, error) {
	if len(secret) != AuditKeyBytes {
		return nil, fmt.Errorf("audit key: want %d bytes, got %d", AuditKeyBytes, len(secret))
	}
	return newAuditKey(secret), nil
}

func newAuditKey(secret []byte) *AuditKey {
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(purpose))
		return m.Sum(nil)
	}
	return &AuditKey{
		ID:     hex.EncodeToString(derive("mfadesk audit key id")[:8]),
		chain:  derive("mfadesk audit chain"),
		anchor: derive("mfadesk audit anchor"),
	}
}

// SetAuditKey sets the key new audit events are chained under (Open sets
// the development key). Call it before the database is used.
func (db *DB) SetAuditKey(k *AuditKey) { db.auditKey = k }

// AuditKey is the key new audit events are chained under (nil if unset).
func (db *DB) AuditKey() *AuditKey { return db.auditKey }

// encode is the previous hash and every field, each length-prefixed so no
// two different events encode the same. The staff and case fields are
// included only when set, so events written before they existed keep their
// hashes; removing them from an event that had them changes its hash all
// the same.
func (e AuditEvent) encode() []byte {
	var b strings.Builder
	fields := []string{e.PrevHash, strconv.FormatInt(e.At.Unix(), 10), e.ActorKind, e.Actor,
		strconv.FormatInt(e.CustomerID, 10), e.Action, e.Outcome, e.ClientIP, e.Detail}
	if e.StaffID != 0 || e.StaffRole != "" || e.StaffOrg != "" || e.CaseID != 0 {
		fields = append(fields, strconv.FormatInt(e.StaffID, 10), e.StaffRole, e.StaffOrg, strconv.FormatInt(e.CaseID, 10))
	}
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	return []byte(b.String())
}

// legacyHash is the unkeyed SHA-256 of events written before the chain
// was keyed (empty key_id); it is only ever checked, never written.
func (e AuditEvent) legacyHash() string {
	sum := sha256.Sum256(e.encode())
	return hex.EncodeToString(sum[:])
}

// keyedHash is the HMAC-SHA256 of the event under k; the key's id is part
// of the message, so a row cannot be moved to another key's name.
func (e AuditEvent) keyedHash(k *AuditKey) string {
	m := hmac.New(sha256.New, k.chain)
	m.Write(e.encode())
	m.Write([]byte(strconv.Itoa(len(k.ID)) + ":" + k.ID))
	return hex.EncodeToString(m.Sum(nil))
}

// AuditChainReport is the outcome of checking the whole chain.
type AuditChainReport struct {
	Events int
	LastID int64
	// LegacyUntil is the last event chained with plain SHA-256, before the
	// chain was keyed; 0 if none.
	LegacyUntil int64
	// KeyIDs are the audit keys the events are chained under, oldest first.
	KeyIDs   []string
	BrokenID int64  // the first event that does not fit the chain; 0 if none
	Reason   string // why it does not fit
	// UnknownKeyID is set when the broken event names a key verify was not
	// given (an old key, after a rotation).
	UnknownKeyID string
}

// auditKeyRing finds keys by their ids.
func auditKeyRing(keys []*AuditKey) map[string]*AuditKey {
	ring := make(map[string]*AuditKey, len(keys))
	for _, k := range keys {
		ring[k.ID] = k
	}
	return ring
}

// VerifyAuditChain walks the trail from the first event and reports the
// first one that does not fit: its previous hash is not its predecessor's
// hash (an event removed or inserted), or its own hash does not match its
// fields under its key (edited, or the chain recomputed without the key).
// Unkeyed events may only come before the first keyed one, and a key once
// replaced by another may not come back: otherwise someone without the
// current key could recompute the newest events as unkeyed, or under a
// retired key that leaked.
func (db *DB) VerifyAuditChain(ctx context.Context, keys []*AuditKey) (AuditChainReport, error) {
	return verifyAuditChain(ctx, db, keys)
}

// verifyAuditChain is VerifyAuditChain on q: the database, or a
// transaction that has not committed yet.
func verifyAuditChain(ctx context.Context, q queryer, keys []*AuditKey) (AuditChainReport, error) {
	rows, err := q.QueryContext(ctx, auditSelect+` ORDER BY id`)
	if err != nil {
		return AuditChainReport{}, fmt.Errorf("audit chain: %w", err)
	}
	defer rows.Close()
	ring := auditKeyRing(keys)
	var r AuditChainReport
	prev := genesisHash
	retired := map[string]bool{}
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			return AuditChainReport{}, err
		}
		r.Events++
		r.LastID = e.ID
		current := ""
		if n := len(r.KeyIDs); n > 0 {
			current = r.KeyIDs[n-1]
		}
		k := ring[e.KeyID]
		switch {
		case e.PrevHash != prev:
			r.Reason = "previous hash does not match the event before it (an event was removed or inserted)"
		case e.KeyID == "" && current != "":
			r.Reason = "unkeyed (plain SHA-256) after keyed events: the chain was recomputed without the audit key"
		case e.KeyID != "" && retired[e.KeyID]:
			r.Reason = fmt.Sprintf("chained under audit key %s after key %s replaced it (written with a retired key)", e.KeyID, current)
		case e.KeyID != "" && k == nil:
			r.Reason = fmt.Sprintf("chained under audit key %s, which verify was not given", e.KeyID)
			r.UnknownKeyID = e.KeyID
		case e.KeyID == "" && e.legacyHash() != e.Hash,
			e.KeyID != "" && !hmac.Equal([]byte(e.keyedHash(k)), []byte(e.Hash)):
			r.Reason = "hash does not match the event's fields (the event was edited, or the chain recomputed without the audit key)"
		}
		if r.Reason != "" {
			r.BrokenID = e.ID
			return r, nil
		}
		if e.KeyID == "" {
			r.LegacyUntil = e.ID
		} else if e.KeyID != current {
			if current != "" {
				retired[current] = true
			}
			r.KeyIDs = append(r.KeyIDs, e.KeyID)
		}
		prev = e.Hash
	}
	return r, rows.Err()
}
