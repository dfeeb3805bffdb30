package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// lockCustomer locks demo-app's second factor with wrong app codes.
func lockCustomer(t *testing.T, a *testApp) {
	t.Helper()
	for i := 0; i < a.MFA.Config.LockThreshold; i++ {
		pendingClient(t, a, "demo-app").submitCode(wrongTOTP(t, a))
	}
	if !a.customer("demo-app").MFALockedUntil.After(a.clock.Now()) {
		t.Fatal("customer not locked")
	}
}

// Unlocking a locked account needs a supervisor (or admin) and a strong
// verification on the case: not an agent, not knowledge. While locked,
// codes read back share the lock, so the strong check is the document
// of a customer who came in person.
func TestUnlockNeedsSupervisorAndStrongVerification(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.LockThreshold = 3 })
	lockCustomer(t, a)

	agent, agentCase := strongCase(t, a, "agent", "demo-sms")
	if p := agent.post(agentCase+"/unlock", nil); p.status != http.StatusForbidden || !strings.Contains(p.text("error-message"), "権限") {
		t.Errorf("agent unlock: %d %q", p.status, p.location)
	}

	sup := a.staffLogin("supervisor")
	kase := sup.openCase(a.customerID("demo-app"), "phone")
	sup.post(kase+"/verify/knowledge", url.Values{"birth_date": {"1950-04-01"}})
	if p := sup.get(kase); p.has("unlock-form") || !strings.Contains(p.body, "ロック中") {
		t.Error("unlock offered on knowledge alone, or lock not shown")
	}
	if p := sup.post(kase+"/unlock", nil); p.status != http.StatusForbidden {
		t.Fatalf("unlock on knowledge: %d %q", p.status, p.location)
	}
	sup.get(kase)
	if p := sup.post(kase+"/verify/possession", url.Values{"channel": {"email"}}); p.location != kase+"?notice=link_sent" {
		t.Fatalf("send link: %q", p.location)
	}
	// The link confirmed proves identity while the customer is locked
	// (re-verification before reopening), and does not lift the lock by
	// itself.
	if p := a.answerLink(a.lastLink("demo-app@example.jp"), "yes"); !p.has("link-done") {
		t.Fatalf("possession while locked: %d", p.status)
	}
	if !a.customer("demo-app").MFALockedUntil.After(a.clock.Now()) {
		t.Fatal("the verification itself unlocked the customer")
	}
	if !sup.get(kase).has("unlock-form") {
		t.Fatal("unlock not offered after the possession check")
	}
	if p := sup.post(kase+"/unlock", nil); p.location != kase+"?notice=unlocked" {
		t.Fatalf("unlock: %d %q", p.status, p.location)
	}
	if a.customer("demo-app").MFALockedUntil.After(a.clock.Now()) {
		t.Error("still locked")
	}
	assertLastAudit(t, a, "support.unlock", "success", "supervisor")
	if m := a.outbox()[0]; !strings.Contains(m.Subject, "解除") {
		t.Errorf("customer not told: %q", m.Subject)
	}
	a.clock.Advance(30 * time.Second)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Errorf("login after unlock: %d %q", p.status, p.location)
	}
	sup.get(kase)
	if p := sup.post(kase+"/unlock", nil); p.location != kase+"?notice=not_locked" {
		t.Errorf("unlock of an unlocked account: %q", p.location)
	}
}

// The delivery log on the case shows each code and notice with channel,
// masked address, status and time, following the worker's attempts; it
// never shows a message's body.
func TestDeliveryLogOnCase(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-sms"), "phone")
	agent.post(kase+"/verify/spoken", url.Values{"channel": {"sms"}})
	code := a.lastCode("090-0000-0002")
	row := func() (status, text string) {
		p := agent.get(kase)
		if strings.Contains(p.body, code) || strings.Contains(p.body, "090-0000-0002") {
			t.Fatal("case page shows the code or the full number")
		}
		rows := p.all("delivery-row")
		if len(rows) != 1 || attr(rows[0], "data-channel") != "sms" {
			t.Fatalf("delivery rows: %d", len(rows))
		}
		return attr(rows[0], "data-status") + "/" + attr(rows[0], "data-attempts"), textOf(rows[0])
	}
	if status, text := row(); status != "queued/0" || !strings.Contains(text, "***-****-0002") || !strings.Contains(text, "窓口の本人確認コード") {
		t.Fatalf("queued row: %s %q", status, text)
	}

	ctx := context.Background()
	claimed, err := a.DB.ClaimDue(ctx, 10, time.Minute, 3)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	if err := a.DB.RecordFailure(ctx, claimed[0].ID, claimed[0].Attempts, "provider timeout", time.Minute); err != nil {
		t.Fatal(err)
	}
	if status, text := row(); status != "retrying/1" || !strings.Contains(text, "provider timeout") {
		t.Errorf("retrying row: %s %q", status, text)
	}
	a.clock.Advance(2 * time.Minute)
	if claimed, err = a.DB.ClaimDue(ctx, 10, time.Minute, 3); err != nil || len(claimed) != 1 {
		t.Fatalf("claim again: %d %v", len(claimed), err)
	}
	if err := a.DB.RecordSent(ctx, claimed[0].ID, claimed[0].Attempts, "sms-123"); err != nil {
		t.Fatal(err)
	}
	if status, text := row(); status != "sent/2" {
		t.Errorf("sent row: %s %q", status, text)
	}
}

// A partner's guided page, after the document check: steps and the
// customer's factors, refreshed on reload as the customer enrols on their
// own phone; never a secret.
func TestPartnerGuidesEnrolment(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	partner := a.staffLogin("partner")
	kase := partnerCase(t, partner)
	if p := partner.get(kase + "/assist"); p.status != http.StatusForbidden {
		t.Fatalf("assist before the document check: %d", p.status)
	}
	document(t, partner, kase)
	if !partner.get(kase).has("assist-link") {
		t.Error("case page does not link the guided page")
	}
	p := partner.get(kase + "/assist")
	if p.status != http.StatusOK || !p.has("assist-steps") || len(p.all("factor-row")) != 1 {
		t.Fatalf("assist: %d rows %d", p.status, len(p.all("factor-row")))
	}

	partner.get(kase)
	if p := partner.post(kase+"/reset", url.Values{"temp_pass": {"on"}}); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("partner reset: %q", p.location)
	}
	admin := a.staffLogin("admin")
	id := onlyRequest(t, admin)
	if p := admin.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("admin approves: %q", p.location)
	}
	if p := partner.get(kase + "/assist"); len(p.all("factor-row")) != 0 || !p.has("no-factors") {
		t.Fatalf("assist after the reset: %d rows", len(p.all("factor-row")))
	}
	partner.get(kase)
	pass := partner.post(kase+"/temp-pass", url.Values{"request_id": {id}}).text("temp-pass")

	customer, p := tempPassLogin(a, "demo-sms", pass)
	if p.location != "/settings/mfa" {
		t.Fatalf("customer login with the pass: %q", p.location)
	}
	secret := enrolApp(t, a, customer)
	p = partner.get(kase + "/assist")
	rows := p.all("factor-row")
	if len(rows) != 1 || attr(rows[0], "data-kind") != "totp" {
		t.Fatalf("assist after enrolment: %d rows", len(rows))
	}
	for _, secretText := range []string{secret, "otpauth"} {
		if strings.Contains(p.body, secretText) {
			t.Errorf("assist page shows %q", secretText)
		}
	}
}
