package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// passkeyOnlyApp is an app whose interim methods have ended: only a
// passkey passes login, for every customer.
func passkeyOnlyApp(t *testing.T) *testApp {
	t.Helper()
	return newConsoleApp(t, func(cfg *Config) {
		cfg.MFA.PhishingResistantFrom = testStart.Add(-48 * time.Hour)
		cfg.MFA.InterimMethodsUntil = testStart.Add(-24 * time.Hour)
	})
}

// docs/security.md S65: once only a passkey passes login, the console
// issues no temporary pass (the customer could not use it), says why,
// audits the refusal, and does not run the reset it came with; the reset
// alone still runs.
func TestConsoleRefusesUnusableTempPass(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	c, kase := strongCase(t, a, "supervisor", "demo-app")
	if page := c.get(kase); !page.has("temp-pass-unusable") || strings.Contains(page.body, `name="temp_pass"`) {
		t.Errorf("case page offers a pass in the passkey-only phase (hint shown: %v)", page.has("temp-pass-unusable"))
	}
	p := c.post(kase+"/reset", url.Values{"temp_pass": {"on"}})
	if p.location != kase+"?notice=temp_pass_unusable" {
		t.Fatalf("reset with pass in the passkey-only phase: %d %q", p.status, p.location)
	}
	if page := c.get(p.location); !strings.Contains(page.body, "一時パスではログインできない") {
		t.Error("the refusal does not say why")
	}
	if !slices.Contains(a.auditEventsOf("support.reset"), "refused:temp_pass_unusable") {
		t.Error("refusal not audited")
	}
	if slices.Contains(a.auditEventsOf("temp_pass.issue"), "success") {
		t.Error("a pass was issued")
	}
	if p := c.post(kase+"/reset", url.Values{}); p.location != kase+"?notice=reset_done" {
		t.Errorf("reset without a pass: %d %q", p.status, p.location)
	}
}

// docs/security.md S65: the refusal page of a customer without a passkey
// in the passkey-only phase names the way back (a passkey registered after
// an identity check), not an email registration.
func TestPasskeyRequiredRefusalNamesTheWayBack(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	p := a.newClient().login("demo-app", demoPassword)
	if p.status != http.StatusForbidden || !p.has("blocked") {
		t.Fatalf("login without a passkey: %d, blocked page %v", p.status, p.has("blocked"))
	}
	if !strings.Contains(p.text("blocked-shop"), "パスキーを登録") || !strings.Contains(p.body, "0120-000-000") {
		t.Error("refusal page does not name the passkey registration at a shop or by phone")
	}
	if strings.Contains(p.body, "メールアドレスの登録") {
		t.Error("refusal page offers an email registration, which cannot help")
	}
}

// docs/security.md S65: a pass approved before the interim methods ended
// is not shown after: the requester is told why, and the case page no
// longer offers it.
func TestApprovedPassNotIssuedOncePasskeyOnly(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent, kase, id := agentResetRequest(t, a, url.Values{"temp_pass": {"on"}})
	sup := a.staffLogin("supervisor")
	if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("approve: %q", p.location)
	}
	a.Support.Config.InterimMethodsUntil = a.clock.Now()
	if agent.get(kase).has("issue-pass-form") {
		t.Error("requester offered a pass that cannot be used")
	}
	if p := agent.post(kase+"/temp-pass", url.Values{"request_id": {id}}); p.location != kase+"?notice=temp_pass_unusable" {
		t.Errorf("approved pass in the passkey-only phase: %d %q", p.status, p.location)
	}
	if !slices.Contains(a.auditEventsOf("temp_pass.issue"), "refused:temp_pass_unusable") {
		t.Error("refusal not audited")
	}
}
