package support

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
)

// An address change needs a strong verification on the case and is
// refused on the staff member's own account, each refusal audited; the
// change commits with its audit event (masked) and the notice.
func TestSetAddressRules(t *testing.T) {
	e := newApprovalEnv(t)
	ctx := context.Background()
	kase, err := e.s.DB.CaseByID(ctx, e.caseID)
	if err != nil {
		t.Fatal(err)
	}
	addr := contact.Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-2-3"}
	actor := func(name string) CaseActor { return CaseActor{Staff: e.staff[name], Case: kase, ClientIP: "192.0.2.1"} }

	if _, err := e.s.SetAddress(ctx, actor(RoleSupervisor), addr); !errors.Is(err, ErrStrongVerificationRequired) {
		t.Fatalf("without a strong check: %v", err)
	}
	e.documentCheck()
	if _, err := e.s.SetAddress(ctx, actor("linked"), addr); !errors.Is(err, ErrOwnAccount) {
		t.Fatalf("own account: %v", err)
	}
	if _, err := e.s.CustomerAddress(ctx, e.customer); !errors.Is(err, ErrNoAddress) {
		t.Fatalf("address stored by a refused change: %v", err)
	}
	if res, err := e.s.SetAddress(ctx, actor(RoleSupervisor), addr); err != nil || res.Pending() {
		t.Fatalf("supervisor: %+v %v", res, err)
	}
	if got, err := e.s.CustomerAddress(ctx, e.customer); err != nil || got != addr {
		t.Fatalf("stored: %+v %v", got, err)
	}
	want := []string{"support.address_change refused:needs_strong_verification", "support.address_change refused:own_account",
		"support.address_change success"}
	if got := e.events(); !slices.Equal(got, want) {
		t.Fatalf("audit: %q", got)
	}
	msgs, err := e.s.DB.RecentMessages(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].To != "old@example.jp" || msgs[0].Kind != "address_changed" {
		t.Fatalf("notice: %+v", msgs)
	}
}

// An address change by an agent (as configured for contact changes) or a
// partner (always) waits as a request; the customer's address changes only
// when a supervisor approves it, audited as the approver's with the
// notice. Supervisors and admins change it at once.
func TestSetAddressFollowsContactApproval(t *testing.T) {
	for _, tc := range []struct {
		role    string
		actions []string
		pending bool
	}{
		{RoleAgent, []string{ActionReset, ActionContact}, true},
		{RoleAgent, []string{ActionReset}, false},
		{RolePartner, nil, true},
		{RoleSupervisor, []string{ActionReset, ActionContact}, false},
		{RoleAdmin, []string{ActionReset, ActionContact}, false},
	} {
		e := newApprovalEnv(t)
		e.s.Config.ApprovalActions = tc.actions
		e.s.Config.ApprovalRoles = []string{RoleAgent}
		ctx := context.Background()
		kase, err := e.s.DB.CaseByID(ctx, e.caseID)
		if err != nil {
			t.Fatal(err)
		}
		e.documentCheck()
		addr := contact.Address{Postcode: "0600001", Prefecture: "北海道", City: "札幌市中央区北一条西3-3"}
		res, err := e.s.SetAddress(ctx, CaseActor{Staff: e.staff[tc.role], Case: kase, ClientIP: "192.0.2.1"}, addr)
		if err != nil || res.Pending() != tc.pending {
			t.Fatalf("%s %v: %+v %v", tc.role, tc.actions, res, err)
		}
		_, err = e.s.CustomerAddress(ctx, e.customer)
		if tc.pending != errors.Is(err, ErrNoAddress) {
			t.Fatalf("%s %v: address stored %v, pending %v", tc.role, tc.actions, err, tc.pending)
		}
		if !tc.pending {
			continue
		}
		r, err := e.s.DB.RequestByID(ctx, res.RequestID)
		if err != nil || r.Kind != data.RequestAddress || r.Address != addr {
			t.Fatalf("request: %+v %v", r, err)
		}
		if err := e.s.Decide(ctx, Decision{Staff: e.staff[RoleSupervisor], ClientIP: "192.0.2.2", RequestID: res.RequestID, Approve: true}); err != nil {
			t.Fatal(err)
		}
		if got, err := e.s.CustomerAddress(ctx, e.customer); err != nil || got != addr {
			t.Fatalf("%s: after approval %+v %v", tc.role, got, err)
		}
		want := []string{"support.address_change requested", "request.approve success", "support.address_change success"}
		if got := e.events(); !slices.Equal(got, want) {
			t.Fatalf("%s: audit %q", tc.role, got)
		}
	}
}

// documentCheck records a passed document check on the case: strong.
func (e *approvalEnv) documentCheck() {
	e.t.Helper()
	ctx := context.Background()
	err := e.s.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateVerification(ctx, &data.Verification{CaseID: e.caseID, CustomerID: e.customer, StaffID: e.staff[RoleAgent].ID,
			Method: data.VerifyDocument, Strength: data.StrengthStrong, Status: data.VerificationPassed,
			PassedAt: e.now, ValidUntil: e.now.Add(15 * time.Minute)})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
