package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mfadesk/mfa"
)

var tempPassFormat = regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$`)

// resetWithPass resets the customer's factors as a supervisor and returns
// the temporary pass the page showed.
func resetWithPass(t *testing.T, a *testApp, loginID string) string {
	t.Helper()
	c, kase := strongCase(t, a, "supervisor", loginID)
	p := c.post(kase+"/reset", url.Values{"temp_pass": {"on"}})
	pass := p.text("temp-pass")
	if p.status != http.StatusOK || !tempPassFormat.MatchString(pass) {
		t.Fatalf("reset with pass: %d %q %q", p.status, p.location, pass)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Error("the page with the pass may be cached")
	}
	return pass
}

// tempPassLogin logs in with ID, password and pass from a new browser.
func tempPassLogin(a *testApp, loginID, pass string) (*client, *page) {
	c := a.newClient()
	c.get("/login/temp-pass")
	return c, c.post("/login/temp-pass", url.Values{"login_id": {loginID}, "password": {demoPassword}, "temp_pass": {pass}})
}

// The whole recovery: support resets the lost phone's app and issues a
// pass; the customer logs in with ID, password and pass, lands on
// enrolment, can reach nothing else, enrols a new app from the QR code,
// and from then on logs in with it. The pass works once.
func TestResetThenTempPassLoginAndEnrolment(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	pass := resetWithPass(t, a, "demo-app")
	for _, d := range append(a.auditDetails("temp_pass.issue"), a.auditDetails("support.reset")...) {
		if strings.Contains(d, pass) || strings.Contains(d, strings.ReplaceAll(pass, "-", "")) {
			t.Fatal("the pass is in the audit trail")
		}
	}

	// Typed as people type it: lower case, spaces instead of hyphens.
	typed := strings.ToLower(strings.ReplaceAll(pass, "-", " "))
	c, p := tempPassLogin(a, "demo-app", typed)
	if p.location != "/settings/mfa" {
		t.Fatalf("temp pass login: %d %q %s", p.status, p.location, p.text("notice-error"))
	}
	if p := c.get("/settings/mfa"); p.status != http.StatusOK || !p.has("totp-start") {
		t.Fatalf("enrolment not offered right away: %d", p.status)
	}
	for _, path := range []string{"/home", "/account", "/withdrawal", "/account/bank", "/passkey/prompt"} {
		if p := c.get(path); p.location != "/settings/mfa" {
			t.Errorf("GET %s with a pass session: %d %q", path, p.status, p.location)
		}
	}
	c.get("/settings/mfa")
	for _, path := range []string{"/withdrawal", "/settings/mfa/recovery", "/settings/mfa/uses"} {
		if p := c.post(path, url.Values{"amount": {"1000"}}); p.status != http.StatusForbidden {
			t.Errorf("POST %s with a pass session: %d %q", path, p.status, p.location)
		}
	}

	secret := enrolApp(t, a, c)
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Errorf("home after enrolment: %d %q", p.status, p.location)
	}
	if p := c.get("/withdrawal"); !strings.Contains(p.text("withdrawal-hold"), "リセット") {
		t.Errorf("withdrawal page does not show the reset's hold: %q", p.text("withdrawal-hold"))
	}

	if _, p := tempPassLogin(a, "demo-app", pass); p.status != http.StatusUnauthorized || p.location != "" {
		t.Errorf("pass used twice: %d %q", p.status, p.location)
	}
	a.clock.Advance(30 * time.Second)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location == "/home" {
		t.Error("the reset app still logs in")
	}
	next, _ := totpCodeForTest(secret, a.clock.Now())
	if p := pendingClient(t, a, "demo-app").submitCode(next); p.location != "/home" {
		t.Errorf("the new app does not log in: %d %q", p.status, p.location)
	}
}

// The pass passes login and nothing else, refused on the server: not as a
// step-up for withdrawal or account changes, not in the step-up form;
// a session of a reset customer cannot withdraw before enrolling; and
// the refused attempts do not use the pass up.
func TestTempPassRefusedForStepUpAndWithdrawal(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	pass := resetWithPass(t, a, "demo-app")
	cu := a.customer("demo-app")
	ctx := context.Background()
	for _, in := range []mfa.VerifyInput{
		{Purpose: mfa.StepUpPurpose("withdrawal:1"), Use: mfa.UseWithdrawal},
		{Purpose: mfa.StepUpPurpose("account"), Use: mfa.UseAccount},
		{Purpose: mfa.StepUpPurpose("bank"), Use: mfa.UseBank},
		{Purpose: mfa.StepUpPurpose("mfa"), Use: mfa.UseAny},
		{Purpose: mfa.PurposeLogin, Use: mfa.UseWithdrawal},
	} {
		in.Customer, in.Method, in.Code = cu, mfa.MethodTempPass, pass
		if err := a.MFA.Verify(ctx, in); !errors.Is(err, mfa.ErrMethodNotAllowed) {
			t.Errorf("pass for %s/%s: %v, want refused", in.Purpose, in.Use, err)
		}
	}

	// The email fallback still logs the reset customer in, to enrolment only.
	c := pendingClient(t, a, "demo-app")
	if p := c.submitCode(a.lastCode("demo-app@example.jp")); p.location != "/home" {
		t.Fatalf("email login after reset: %d %q", p.status, p.location)
	}
	if p := c.get("/home"); p.location != "/settings/mfa" {
		t.Errorf("reset customer's home: %d %q", p.status, p.location)
	}
	c.get("/settings/mfa")
	if p := c.post("/withdrawal", url.Values{"amount": {"1000"}}); p.status != http.StatusForbidden {
		t.Errorf("withdrawal before enrolling: %d %q", p.status, p.location)
	}
	c.get("/stepup?op=mfa")
	p := c.post("/stepup", url.Values{"op": {"mfa"}, "method": {"temp_pass"}, "code": {pass}})
	if p.location != "" || p.status < 400 {
		t.Errorf("pass accepted as a step-up: %d %q", p.status, p.location)
	}

	if _, p := tempPassLogin(a, "demo-app", pass); p.location != "/settings/mfa" {
		t.Errorf("pass used up by refused attempts: %d %q", p.status, p.location)
	}
}

// docs/security.md S42: where only a passkey passes login, the pass does not,
// and the phase alone is why: the same pass works once the phase is off.
// The pass is issued before the interim methods end (the console issues
// none after: TestConsoleRefusesUnusableTempPass).
func TestTempPassRefusedInPhishingResistantPhase(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) {
		cfg.MFA.PhishingResistantFrom = testStart.Add(-48 * time.Hour)
		cfg.MFA.InterimMethodsUntil = testStart.Add(10 * time.Minute)
	})
	pass := resetWithPass(t, a, "demo-app")
	a.clock.Advance(15 * time.Minute)
	_, p := tempPassLogin(a, "demo-app", pass)
	if p.status != http.StatusForbidden || !strings.Contains(p.text("notice-error"), "パスキー") {
		t.Fatalf("pass in the passkey-only phase: %d %q", p.status, p.location)
	}
	found := false
	for _, e := range a.auditEventsOf("mfa.verify") {
		found = found || e == "refused:passkey_required"
	}
	if !found {
		t.Error("downgrade refusal not audited")
	}
	a.MFA.Config.InterimMethodsUntil = time.Time{}
	if _, p := tempPassLogin(a, "demo-app", pass); p.location != "/settings/mfa" {
		t.Errorf("pass after the phase: %d %q", p.status, p.location)
	}
}

// docs/security.md S16: wrong passes count toward the one lock, which then refuses
// the right pass too; an expired pass never logs in.
func TestTempPassSharesLockAndExpires(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.LockThreshold = 3 })
	pass := resetWithPass(t, a, "demo-app")
	for i := 0; i < 2; i++ {
		if _, p := tempPassLogin(a, "demo-app", "AAAA-BBBB-CCCC"); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong pass %d: %d", i+1, p.status)
		}
	}
	if _, p := tempPassLogin(a, "demo-app", "AAAA-BBBB-CCCC"); p.status != http.StatusForbidden || !p.has("locked") {
		t.Fatalf("third wrong pass: %d", p.status)
	}
	if _, p := tempPassLogin(a, "demo-app", pass); p.location != "" {
		t.Fatalf("right pass while locked: %q", p.location)
	}

	b := newConsoleApp(t)
	pass = resetWithPass(t, b, "demo-app")
	b.clock.Advance(61 * time.Minute)
	if _, p := tempPassLogin(b, "demo-app", pass); p.status != http.StatusUnauthorized || p.location != "" {
		t.Errorf("expired pass: %d %q", p.status, p.location)
	}
}

// auditEventsOf lists the outcomes of every event of action, newest first.
func (a *testApp) auditEventsOf(action string) []string {
	a.t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), dataFilter(action))
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Outcome)
	}
	return out
}
