package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/support"
)

// agentResetRequest has the agent ask for a reset of demo-sms and returns
// the request's id as the supervisor's queue shows it.
func agentResetRequest(t *testing.T, a *testApp, form url.Values) (agent *client, kase, id string) {
	t.Helper()
	agent, kase = strongCase(t, a, "agent", "demo-sms")
	if p := agent.post(kase+"/reset", form); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("request: %d %q", p.status, p.location)
	}
	return agent, kase, onlyRequest(t, a.staffLogin("supervisor"))
}

// Four-eyes decisions: approved runs the reset as the approver's action,
// rejected needs a reason and changes nothing, expired after 24 hours
// cannot be approved, and a decided request cannot be decided again.
func TestRequestDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		before      func(a *testApp)
		path        string
		form        url.Values
		wantNotice  string
		wantStatus  string
		wantFactors []string
	}{
		{"approved", nil, "approve", nil, "approved", data.RequestApproved, nil},
		{"rejected without reason", nil, "reject", nil, "reason_required", data.RequestPending, []string{"sms"}},
		{"rejected", nil, "reject", url.Values{"reason": {"通話の録音で本人と確認できない"}}, "rejected", data.RequestRejected, []string{"sms"}},
		{"expired", func(a *testApp) { a.clock.Advance(24*time.Hour + time.Minute) }, "approve", nil, "expired", data.RequestExpired, []string{"sms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			_, kase, id := agentResetRequest(t, a, nil)
			if tt.before != nil {
				tt.before(a)
			}
			sup := a.staffLogin("supervisor")
			if p := sup.decide(id, tt.path, tt.form); p.location != "/console/requests?notice="+tt.wantNotice {
				t.Fatalf("%s: %d %q", tt.path, p.status, p.location)
			}
			r, err := a.DB.CaseRequests(context.Background(), caseID(t, kase))
			if err != nil || len(r) != 1 || r[0].Status != tt.wantStatus {
				t.Fatalf("request after decision: %+v %v", r, err)
			}
			if got := a.factorKinds("demo-sms"); !slices.Equal(got, tt.wantFactors) {
				t.Errorf("factors %v, want %v", got, tt.wantFactors)
			}
			if tt.wantStatus == data.RequestApproved {
				assertLastAudit(t, a, "support.reset", "success", "supervisor")
				assertResetHold(t, a, "demo-sms")
				if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=decided" {
					t.Errorf("approved twice: %q", p.location)
				}
			}
			if tt.wantStatus == data.RequestExpired && len(requestIDs(t, sup)) != 0 {
				t.Error("expired request still queued")
			}
		})
	}
}

// docs/security.md S33: nobody approves their own request, and neither agents nor
// partners approve at all; another supervisor can.
func TestNobodyApprovesOwnRequest(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.ApprovalRoles = []string{"agent", "supervisor"} })
	a.addStaff("supervisor2", support.RoleSupervisor, "support")
	sup, kase := strongCase(t, a, "supervisor", "demo-sms")
	if p := sup.post(kase+"/reset", nil); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("supervisor's reset under the stricter setting: %q", p.location)
	}
	id := onlyRequest(t, sup)
	if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=own_request" {
		t.Fatalf("own approval: %q", p.location)
	}
	if p := sup.decide(id, "reject", url.Values{"reason": {"取り下げ"}}); p.location != "/console/requests?notice=own_request" {
		t.Fatalf("own rejection: %q", p.location)
	}
	for _, role := range []string{"agent", "partner"} {
		c := a.staffLogin(role)
		if p := c.decide(id, "approve", nil); p.status != http.StatusForbidden {
			t.Errorf("%s approved: %d %q", role, p.status, p.location)
		}
	}
	if got := a.factorKinds("demo-sms"); len(got) != 1 {
		t.Fatalf("factors changed by a refused approval: %v", got)
	}
	if outcomes := a.auditEventsOf("request.approve"); len(outcomes) == 0 || outcomes[0] != "refused:own_request" {
		t.Errorf("refusal not audited: %v", outcomes)
	}
	other := a.staffLogin("supervisor2")
	if p := other.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("second supervisor: %q", p.location)
	}
	if got := a.factorKinds("demo-sms"); len(got) != 0 {
		t.Errorf("factors after approval: %v", got)
	}
}

// docs/security.md S33: nobody acts on their own brokerage account, nor approves a
// request about it.
func TestNobodyActsOnOwnAccount(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	link := func(staff, customer string) {
		ctx := context.Background()
		st, err := a.DB.StaffByLogin(ctx, staff)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.DB.InTx(ctx, func(tx *data.Tx) error {
			return tx.SetStaffCustomer(ctx, st.ID, a.customerID(customer))
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Linked once the case is strongly verified: the link also keeps
	// them from opening or verifying one (TestOwnAccountLinkKeepsStaffOff).
	admin, kase := strongCase(t, a, "admin", "demo-sms")
	link("admin", "demo-sms")
	if p := admin.post(kase+"/reset", nil); p.location != kase+"?notice=own_account" {
		t.Errorf("admin reset own account: %q", p.location)
	}
	sendContactRefused := admin.post(kase+"/contact/send", url.Values{"kind": {"email"}, "value": {"x@example.jp"}})
	if sendContactRefused.location != kase+"?notice=own_account" {
		t.Errorf("admin contact change on own account: %q", sendContactRefused.location)
	}
	if p := admin.post(kase+"/passkey-link", nil); p.location != kase+"?notice=own_account" || strings.Contains(p.body, "/passkey/setup/") {
		t.Errorf("admin passkey link for own account: %d %q", p.status, p.location)
	}

	link("supervisor", "demo-sms")
	_, _, id := agentResetRequest(t, a, nil)
	sup := a.staffLogin("supervisor")
	if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=own_account" {
		t.Errorf("supervisor approved a request about own account: %q", p.location)
	}
	if got := a.factorKinds("demo-sms"); len(got) != 1 {
		t.Errorf("factors changed: %v", got)
	}
}

// The temporary pass of an approved reset is shown once, to the
// requester, on the case, after approval: not to the approver, not twice.
func TestApprovedResetPassShownOnceToRequester(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent, kase, id := agentResetRequest(t, a, url.Values{"temp_pass": {"on"}})
	if agent.get(kase).has("issue-pass-form") {
		t.Fatal("pass offered before approval")
	}
	sup := a.staffLogin("supervisor")
	if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" || p.has("temp-pass") {
		t.Fatalf("approve: %q", p.location)
	}
	sup.get(kase)
	if p := sup.post(kase+"/temp-pass", url.Values{"request_id": {id}}); p.location != kase+"?notice=no_pass" {
		t.Errorf("approver took the pass: %d %q", p.status, p.location)
	}
	if !agent.get(kase).has("issue-pass-form") {
		t.Fatal("requester not offered the pass")
	}
	p := agent.post(kase+"/temp-pass", url.Values{"request_id": {id}})
	pass := p.text("temp-pass")
	if !tempPassFormat.MatchString(pass) {
		t.Fatalf("pass page: %d %q", p.status, p.location)
	}
	agent.get(kase)
	if p := agent.post(kase+"/temp-pass", url.Values{"request_id": {id}}); p.location != kase+"?notice=no_pass" {
		t.Errorf("pass shown twice: %d %q", p.status, p.location)
	}
	if _, p := tempPassLogin(a, "demo-sms", pass); p.location != "/settings/mfa" {
		t.Errorf("customer login with the approved pass: %d %q", p.status, p.location)
	}
}
