package support

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/pgtest"
)

// approvalEnv is a desk Service over a real SQLite file whose clock the
// test moves: one customer (email, an app and an SMS factor), a case on
// them opened by an agent, and a staff member of every role. "linked" is a
// supervisor whose own brokerage account is the customer's.
type approvalEnv struct {
	t        *testing.T
	s        *Service
	now      time.Time
	staff    map[string]*data.Staff
	customer int64
	caseID   int64
}

func newApprovalEnv(t *testing.T) *approvalEnv {
	t.Helper()
	ctx := context.Background()
	e := &approvalEnv{t: t, now: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), staff: map[string]*data.Staff{}}
	db, err := data.Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "approval.db")), func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := mfa.DefaultConfig()
	e.s = &Service{DB: db, Config: cfg, MFA: &mfa.Service{DB: db, Config: cfg}}
	err = db.InTx(ctx, func(tx *data.Tx) error {
		var err error
		c := &data.Customer{AccountNumber: "2000001", LoginID: "approval1", NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ",
			BirthDate: "1960-01-01", Email: "old@example.jp", EmailStatus: "verified", PasswordHash: "x", TradingPasswordHash: "x"}
		if e.customer, err = tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		for _, kind := range []string{data.FactorTOTP, data.FactorSMS} {
			f := &data.Factor{CustomerID: e.customer, Kind: kind, Phone: "+819011112222", UseLogin: true, ConfirmedAt: e.now}
			if _, err := tx.CreateFactor(ctx, f); err != nil {
				return err
			}
		}
		roles := map[string]string{RoleAgent: RoleAgent, RolePartner: RolePartner, RoleAuditor: RoleAuditor,
			RoleSupervisor: RoleSupervisor, RoleAdmin: RoleAdmin, "linked": RoleSupervisor}
		for name, role := range roles {
			st := &data.Staff{LoginID: name, Name: name, Role: role, OrgID: "support", PasswordHash: "x"}
			if name == "linked" {
				st.CustomerID = e.customer
			}
			if st.ID, err = tx.CreateStaff(ctx, st); err != nil {
				return err
			}
			e.staff[name] = st
		}
		e.caseID, err = tx.OpenCase(ctx, &data.Case{CustomerID: e.customer, OrgID: "support",
			StaffID: e.staff[RoleAgent].ID, Channel: "phone", Reason: "lost phone"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// request stores a pending request of kind by the staff member named.
func (e *approvalEnv) request(kind, by string) int64 {
	e.t.Helper()
	ctx := context.Background()
	r := &data.ActionRequest{CaseID: e.caseID, CustomerID: e.customer, Kind: kind, RequestedBy: e.staff[by].ID,
		ExpiresAt: e.now.Add(e.s.Config.ApprovalTTL)}
	if kind == data.RequestReset {
		r.Remove = data.FactorTOTP
	} else {
		r.ContactKind, r.ContactValue = mfa.ContactEmail, "new@example.jp"
	}
	var id int64
	err := e.s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		id, err = tx.CreateRequest(ctx, r)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// events is the case's audit trail as "action outcome", oldest first.
func (e *approvalEnv) events() []string {
	e.t.Helper()
	evs, err := e.s.DB.AuditEvents(context.Background(), data.AuditFilter{CaseID: e.caseID, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range slices.Backward(evs) {
		out = append(out, ev.Action+" "+ev.Outcome)
	}
	return out
}

// factors is the kinds of the customer's confirmed factors.
func (e *approvalEnv) factors() []string {
	e.t.Helper()
	fs, err := e.s.DB.ConfirmedFactors(context.Background(), e.customer)
	if err != nil {
		e.t.Fatal(err)
	}
	var kinds []string
	for _, f := range fs {
		kinds = append(kinds, f.Kind)
	}
	slices.Sort(kinds)
	return kinds
}

func (e *approvalEnv) email() string {
	e.t.Helper()
	c, err := e.s.DB.CustomerByID(context.Background(), e.customer)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Email
}

// The four-eyes decision: only supervisors and admins decide, a reject
// needs a reason, nobody decides their own request or one about their own
// account, a request is decided once and not after its TTL; every refusal
// inside the decision is audited, and an approval runs the action.
func TestDecide(t *testing.T) {
	ttl := mfa.DefaultConfig().ApprovalTTL
	both := []string{data.FactorSMS, data.FactorTOTP}
	tests := []struct {
		name      string
		kind      string // the request's kind; data.RequestReset if ""
		requester string // agent if ""
		decider   string
		approve   bool
		reason    string
		before    func(e *approvalEnv, id int64) // runs before the decision
		err       error
		status    string
		stored    string   // the reason the request keeps
		events    []string // the audit events the decision writes, oldest first
		factors   []string // the customer's factors after; both if nil
		email     string   // the customer's email after; the old one if ""
	}{
		{name: "agent", decider: RoleAgent, approve: true, err: ErrNotApprover, status: data.RequestPending},
		{name: "partner", decider: RolePartner, approve: true, err: ErrNotApprover, status: data.RequestPending},
		{name: "auditor rejects", decider: RoleAuditor, reason: "no", err: ErrNotApprover, status: data.RequestPending},
		{name: "reject without reason", decider: RoleSupervisor, err: ErrReasonRequired, status: data.RequestPending},
		{name: "reject with spaces", decider: RoleSupervisor, reason: " \t　\n", err: ErrReasonRequired, status: data.RequestPending},
		{name: "reject with 501 runes", decider: RoleSupervisor, reason: strings.Repeat("あ", 501),
			err: ErrReasonRequired, status: data.RequestPending},
		{name: "own request", requester: RoleSupervisor, decider: RoleSupervisor, approve: true, err: ErrOwnRequest,
			status: data.RequestPending, events: []string{"request.approve refused:own_request"}},
		{name: "own account", decider: "linked", approve: true, err: ErrOwnAccount,
			status: data.RequestPending, events: []string{"request.approve refused:own_account"}},
		{name: "already decided", decider: RoleSupervisor, approve: true, err: ErrRequestDecided,
			before: func(e *approvalEnv, id int64) {
				if err := e.s.Decide(context.Background(), Decision{Staff: e.staff[RoleAdmin], RequestID: id, Reason: "first"}); err != nil {
					e.t.Fatal(err)
				}
			},
			status: data.RequestRejected, stored: "first", events: []string{"request.approve refused:decided"}},
		{name: "past the TTL", decider: RoleSupervisor, approve: true, err: ErrRequestExpired,
			before: func(e *approvalEnv, _ int64) { e.now = e.now.Add(ttl) },
			status: data.RequestExpired, events: []string{"request.approve refused:expired"}},
		{name: "reject past the TTL", decider: RoleAdmin, reason: "late", err: ErrRequestExpired,
			before: func(e *approvalEnv, _ int64) { e.now = e.now.Add(ttl + time.Hour) },
			status: data.RequestExpired, events: []string{"request.reject refused:expired"}},
		{name: "reject", decider: RoleSupervisor, reason: "  本人確認が不十分  ", status: data.RequestRejected,
			stored: "本人確認が不十分", events: []string{"request.reject success"}},
		{name: "reject with 500 runes", decider: RoleAdmin, reason: strings.Repeat("あ", 500), status: data.RequestRejected,
			stored: strings.Repeat("あ", 500), events: []string{"request.reject success"}},
		{name: "reject contact change", kind: data.RequestContact, decider: RoleSupervisor, reason: "no",
			status: data.RequestRejected, stored: "no", events: []string{"request.reject success"}},
		{name: "approve reset", decider: RoleSupervisor, approve: true, status: data.RequestApproved,
			events: []string{"request.approve success", "support.reset success"}, factors: []string{data.FactorSMS}},
		{name: "approve reset just before the TTL", decider: RoleAdmin, approve: true,
			before: func(e *approvalEnv, _ int64) { e.now = e.now.Add(ttl - time.Second) },
			status: data.RequestApproved, events: []string{"request.approve success", "support.reset success"},
			factors: []string{data.FactorSMS}},
		{name: "approve contact change", kind: data.RequestContact, decider: RoleAdmin, approve: true,
			status: data.RequestApproved, events: []string{"request.approve success", "contact.change success"},
			email: "new@example.jp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newApprovalEnv(t)
			ctx := context.Background()
			id := e.request(cmp.Or(tt.kind, data.RequestReset), cmp.Or(tt.requester, RoleAgent))
			if tt.before != nil {
				tt.before(e, id)
			}
			already := len(e.events())

			err := e.s.Decide(ctx, Decision{Staff: e.staff[tt.decider], ClientIP: "192.0.2.1", RequestID: id,
				Approve: tt.approve, Reason: tt.reason})
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decide: %v, want %v", err, tt.err)
			}
			r, err := e.s.DB.RequestByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.status || r.Reason != tt.stored {
				t.Errorf("request %s (reason %q), want %s (reason %q)", r.Status, r.Reason, tt.status, tt.stored)
			}
			if got := e.events()[already:]; !slices.Equal(got, tt.events) {
				t.Errorf("audited %q, want %q", got, tt.events)
			}
			want := tt.factors
			if want == nil {
				want = both
			}
			if got := e.factors(); !slices.Equal(got, want) {
				t.Errorf("factors %q, want %q", got, want)
			}
			if got, want := e.email(), cmp.Or(tt.email, "old@example.jp"); got != want {
				t.Errorf("email %q, want %q", got, want)
			}
		})
	}
}
