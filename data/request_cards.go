package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
)

// RequestCard is a pending request with what its approver needs to
// decide it: the case and its reason, the customer (contact data as
// stored: callers mask it) and who asked, from which organisation.
type RequestCard struct {
	ActionRequest
	CaseReason    string
	CaseChannel   string
	CaseOrgID     string
	CaseStaffID   int64
	AccountNumber string
	NameKana      string
	Email         string
	Phone         string
	RequesterName string
	RequesterOrg  string
}

// The request columns first (scanRequest), then the card's.
const requestCardSelect = `SELECT r.id, r.case_id, r.customer_id, c.name_kanji, r.kind, r.remove, r.temp_pass,
	r.contact_kind, r.contact_value, r.requested_by, s.login_id, r.status, COALESCE(r.decided_by, 0), r.reason,
	r.created_at, r.expires_at, r.decided_at, r.pass_issued_at, r.postcode, r.prefecture, r.city, r.building,
	k.reason, k.channel, k.org_id, k.staff_id, c.account_number, c.name_kana, c.email, c.phone, s.name, o.name
	FROM action_requests r JOIN customers c ON c.id = r.customer_id JOIN staff s ON s.id = r.requested_by
	JOIN cases k ON k.id = r.case_id JOIN organisations o ON o.id = s.org_id`

// PendingRequestCards lists the requests still waiting at now, oldest
// first, each with its context: the supervisors' queue.
func (db *DB) PendingRequestCards(ctx context.Context, now time.Time, limit int) ([]RequestCard, error) {
	rows, err := db.QueryContext(ctx, requestCardSelect+` WHERE r.status = 'pending' AND r.expires_at > ?
		ORDER BY r.id LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("pending request cards: %w", err)
	}
	defer rows.Close()
	var out []RequestCard
	for rows.Next() {
		var k RequestCard
		r, err := scanRequest(rows, &k.CaseReason, &k.CaseChannel, &k.CaseOrgID, &k.CaseStaffID, &k.AccountNumber,
			&k.NameKana, &k.Email, &k.Phone, &k.RequesterName, &k.RequesterOrg)
		if err != nil {
			return nil, err
		}
		k.ActionRequest = *r
		out = append(out, k)
	}
	return out, rows.Err()
}

// PendingRequestCount counts the requests still waiting at now, for the
// console header: one count over the status index, whose pending part
// stays small (requests are decided or expire within a day). Every console
// page of an approver shows it, so it is kept in the read cache until a
// request changes or the first of those counted expires.
func (db *DB) PendingRequestCount(ctx context.Context, now time.Time) (int, error) {
	at := now.Unix()
	if p, ok := lookup(db.cache, &db.cache.pending, 0); ok && p.since <= at && at < p.until {
		return p.n, nil
	}
	snap := db.cache.snapshot(requestsStripe)
	var n int
	var first sql.NullInt64
	if err := db.QueryRowContext(ctx, pendingCountQuery(db.engine), at).Scan(&n, &first); err != nil {
		return 0, fmt.Errorf("pending request count: %w", err)
	}
	until := int64(math.MaxInt64)
	if first.Valid {
		until = first.Int64
	}
	store(db.cache, &db.cache.pending, 0, pendingCount{n: n, since: at, until: until}, snap)
	return n, nil
}

// pendingCount is the number of requests waiting at every time from since
// until (unix seconds): the first of them expires at until.
type pendingCount struct {
	n            int
	since, until int64
}

// pendingCountQuery holds SQLite to the status index; PostgreSQL has no
// index hints (its planner chooses from statistics).
func pendingCountQuery(e Engine) string {
	return `SELECT COUNT(*), MIN(expires_at) FROM action_requests` + pick(e, ` INDEXED BY action_requests_status`, ``) + `
	WHERE status = 'pending' AND expires_at > ?`
}

// CaseCheck is an identity check on a case with who recorded it and
// their organisation. Detail is masked.
type CaseCheck struct {
	ID         int64
	CaseID     int64
	Method     string
	Strength   string
	Status     string
	Detail     string
	StaffLogin string
	StaffName  string
	OrgName    string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	PassedAt   time.Time
	ValidUntil time.Time
}

// CaseChecks lists the identity checks on the cases, newest first.
func (db *DB) CaseChecks(ctx context.Context, caseIDs []int64) ([]CaseCheck, error) {
	if len(caseIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(caseIDs))
	for i, id := range caseIDs {
		args[i] = id
	}
	rows, err := db.QueryContext(ctx, `SELECT v.id, v.case_id, v.method, v.strength, v.status, v.detail, s.login_id, s.name,
		o.name, v.created_at, v.expires_at, v.passed_at, v.valid_until
		FROM verifications v JOIN staff s ON s.id = v.staff_id JOIN organisations o ON o.id = s.org_id
		WHERE v.case_id IN (?`+strings.Repeat(", ?", len(caseIDs)-1)+`) ORDER BY v.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("case checks: %w", err)
	}
	defer rows.Close()
	var out []CaseCheck
	for rows.Next() {
		var v CaseCheck
		var created, expires, passed, valid int64
		if err := rows.Scan(&v.ID, &v.CaseID, &v.Method, &v.Strength, &v.Status, &v.Detail, &v.StaffLogin, &v.StaffName,
			&v.OrgName, &created, &expires, &passed, &valid); err != nil {
			return nil, fmt.Errorf("scan case check: %w", err)
		}
		v.CreatedAt, v.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
		v.PassedAt, v.ValidUntil = time.Unix(passed, 0), time.Unix(valid, 0)
		out = append(out, v)
	}
	return out, rows.Err()
}
