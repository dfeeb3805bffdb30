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
)

// A reset from each role with a strong verification: supervisors and
// admins reset at once (factors and passkeys gone, sessions ended,
// withdrawals held, every verified contact told, audited); agents and
// partners get a pending request and nothing changes yet.
func TestResetFromEachRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role    string
		pending bool
	}{
		{"admin", false},
		{"supervisor", false},
		{"agent", true},
		{"partner", true},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			customer := loggedInClient(t, a, "demo-sms")
			a.addPasskey("demo-sms", "iPhone")
			staff, kase := strongCase(t, a, tt.role, "demo-sms")
			before := len(a.outbox())

			p := staff.post(kase+"/reset", nil)
			if tt.pending {
				if p.location != kase+"?notice=reset_requested" {
					t.Fatalf("reset: %d %q", p.status, p.location)
				}
				if got := a.factorKinds("demo-sms"); !slices.Equal(got, []string{"sms", "passkey"}) {
					t.Errorf("factors changed before approval: %v", got)
				}
				if customer.get("/home").status != http.StatusOK {
					t.Error("customer's session ended before approval")
				}
				if a.customer("demo-sms").WithdrawalHoldReason != "" {
					t.Error("withdrawals held before approval")
				}
				if ids := requestIDs(t, a.staffLogin("supervisor")); len(ids) != 1 {
					t.Errorf("supervisor's queue has %d requests", len(ids))
				}
				assertLastAudit(t, a, "support.reset", "requested", tt.role)
				return
			}
			if p.location != kase+"?notice=reset_done" {
				t.Fatalf("reset: %d %q", p.status, p.location)
			}
			if got := a.factorKinds("demo-sms"); len(got) != 0 {
				t.Errorf("factors left after the reset: %v", got)
			}
			if p := customer.get("/home"); p.location != "/login" {
				t.Errorf("customer's session survived the reset: %d %q", p.status, p.location)
			}
			assertResetHold(t, a, "demo-sms")
			notices := map[string]bool{}
			for _, m := range a.outbox()[:len(a.outbox())-before] {
				if strings.Contains(m.Subject+m.Body, "リセット") {
					notices[m.To] = true
				}
			}
			if !notices["demo-sms@example.jp"] || !notices["+819000000002"] {
				t.Errorf("reset notices went to %v, want the verified email and phone", notices)
			}
			assertLastAudit(t, a, "support.reset", "success", tt.role)
		})
	}
}

func assertResetHold(t *testing.T, a *testApp, loginID string) {
	t.Helper()
	cu := a.customer(loginID)
	if cu.WithdrawalHoldReason != "support_reset" || !cu.WithdrawalHoldUntil.After(a.clock.Now().Add(71*time.Hour)) {
		t.Errorf("withdrawal hold %q until %v", cu.WithdrawalHoldReason, cu.WithdrawalHoldUntil)
	}
}

// assertLastAudit checks the newest event of action: its outcome and the
// role of the staff member it names.
func assertLastAudit(t *testing.T, a *testApp, action, outcome, role string) {
	t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(events) != 1 {
		t.Fatalf("no %s event: %v", action, err)
	}
	if e := events[0]; e.Outcome != outcome || e.StaffRole != role || e.CaseID == 0 || e.CustomerID == 0 {
		t.Errorf("%s event: outcome %q role %q case %d customer %d", action, e.Outcome, e.StaffRole, e.CaseID, e.CustomerID)
	}
}

// docs/security.md S31: no reset on knowledge alone, or with no verification,
// whatever the role; nothing changes and the refusal is audited.
func TestResetRefusedWithoutStrongVerification(t *testing.T) {
	t.Parallel()
	for _, role := range []string{"admin", "supervisor", "agent", "partner"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			c := a.staffLogin(role)
			var kase string
			if role == "partner" {
				kase = partnerCase(t, c)
			} else {
				kase = c.openCase(a.customerID("demo-sms"), "phone")
			}
			c.get(kase)
			c.post(kase+"/verify/knowledge", url.Values{"birth_date": {"1948-11-23"}, "phone": {"09000000002"}})
			page := c.get(kase)
			if page.has("reset-form") || !page.has("actions-need-strong") {
				t.Error("reset offered on knowledge alone")
			}
			p := c.post(kase+"/reset", nil)
			if p.status != http.StatusForbidden || !strings.Contains(p.text("error-message"), "知識確認だけでは") {
				t.Fatalf("reset on knowledge: %d %q", p.status, p.location)
			}
			if got := a.factorKinds("demo-sms"); !slices.Equal(got, []string{"sms"}) {
				t.Errorf("factors %v after a refused reset", got)
			}
			if d := a.auditDetails("console.denied"); len(d) == 0 || !strings.Contains(d[0], "/reset") {
				t.Errorf("refusal not audited: %v", d)
			}
		})
	}
}

// A reset can remove chosen kinds only; an unknown kind is refused.
func TestResetChosenFactorsOnly(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addPasskey("demo-sms", "iPhone")
	c, kase := strongCase(t, a, "supervisor", "demo-sms")
	if p := c.post(kase+"/reset", url.Values{"remove": {"password"}}); p.location != kase+"?notice=bad_reset" {
		t.Fatalf("unknown kind: %q", p.location)
	}
	c.get(kase)
	if p := c.post(kase+"/reset", url.Values{"remove": {"sms"}}); p.location != kase+"?notice=reset_done" {
		t.Fatalf("reset sms: %q", p.location)
	}
	if got := a.factorKinds("demo-sms"); !slices.Equal(got, []string{"passkey"}) {
		t.Errorf("after resetting SMS only: %v", got)
	}
	assertResetHold(t, a, "demo-sms")
}

// The case page lists the customer's factors with passkeys by name and
// date, and never a secret.
func TestCaseShowsFactorsWithoutSecrets(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addPasskey("demo-app", "仕事用iPhone")
	c := a.staffLogin("agent")
	p := c.get(c.openCase(a.customerID("demo-app"), "phone"))
	rows := p.all("factor-row")
	if len(rows) != 2 || attr(rows[0], "data-kind") != "totp" || attr(rows[1], "data-kind") != "passkey" {
		t.Fatalf("factor rows: %d", len(rows))
	}
	if !strings.Contains(textOf(rows[1]), "仕事用iPhone") || !strings.Contains(textOf(rows[1]), "年") {
		t.Errorf("passkey row lacks name or date: %q", textOf(rows[1]))
	}
	for _, secret := range []string{demoTOTPSecret, "secret-credential-record", "otpauth"} {
		if strings.Contains(p.body, secret) {
			t.Errorf("case page shows %q", secret)
		}
	}
}
