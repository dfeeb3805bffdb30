package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// setPassword posts /login/set-password as a customer's browser does.
func setPassword(a *testApp, loginID, code, password string) *page {
	c := a.newClient()
	c.get("/login/set-password")
	return c.post("/login/set-password", url.Values{"login_id": {loginID}, "code": {code},
		"new_password": {password}, "new_password_confirm": {password}})
}

// directPasswordCode has a supervisor (no approval needed by default)
// issue a password-setting code for demo-sms and returns it.
func directPasswordCode(t *testing.T, a *testApp) string {
	t.Helper()
	sup, kase := strongCase(t, a, "supervisor", "demo-sms")
	p := sup.post(kase+"/password", nil)
	code := p.text("password-code")
	if !tempPassFormat.MatchString(code) {
		t.Fatalf("password code page: %d %q", p.status, p.location)
	}
	return code
}

// docs/security.md S64: no password-setting code on knowledge alone.
func TestPasswordCodeRefusedWithoutStrongVerification(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c := a.staffLogin("agent")
	kase := c.openCase(a.customerID("demo-sms"), "phone")
	c.get(kase)
	c.post(kase+"/verify/knowledge", url.Values{"birth_date": {"1948-11-23"}, "phone": {"09000000002"}})
	if page := c.get(kase); page.has("password-code-form") {
		t.Error("password reset offered on knowledge alone")
	}
	if p := c.post(kase+"/password", nil); p.status != http.StatusForbidden || p.has("password-code") {
		t.Fatalf("password code on knowledge: %d %q", p.status, p.location)
	}
	if got := a.auditEventsOf("support.password"); len(got) != 0 {
		t.Errorf("code issued: %v", got)
	}
}

// docs/security.md S64: the agent's request waits for a supervisor; the
// code is then shown once, to the agent; the customer sets the password
// with it in ResetPassword's transaction: sessions end, withdrawals are
// held, every verified contact is told; the old password stops working.
func TestPasswordCodeApprovedThenUsedByCustomer(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	other := loggedInClient(t, a, "demo-sms")
	agent, kase := strongCase(t, a, "agent", "demo-sms")
	if p := agent.post(kase+"/password", nil); p.location != kase+"?notice=password_requested" {
		t.Fatalf("request: %d %q", p.status, p.location)
	}
	if agent.get(kase).has("issue-pass-form") {
		t.Fatal("code offered before approval")
	}
	sup := a.staffLogin("supervisor")
	id := onlyRequest(t, sup)
	if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("approve: %q", p.location)
	}
	sup.get(kase)
	if p := sup.post(kase+"/temp-pass", url.Values{"request_id": {id}}); p.location != kase+"?notice=no_pass" {
		t.Errorf("approver took the code: %d %q", p.status, p.location)
	}
	if !agent.get(kase).has("issue-pass-form") {
		t.Fatal("requester not offered the code")
	}
	code := agent.post(kase+"/temp-pass", url.Values{"request_id": {id}}).text("password-code")
	if !tempPassFormat.MatchString(code) {
		t.Fatalf("code page: %q", code)
	}
	agent.get(kase)
	if p := agent.post(kase+"/temp-pass", url.Values{"request_id": {id}}); p.location != kase+"?notice=no_pass" {
		t.Errorf("code shown twice: %d %q", p.status, p.location)
	}

	if p := setPassword(a, "demo-sms", code, "password"); p.status != http.StatusUnprocessableEntity || !p.has("new_password-error") {
		t.Fatalf("weak password: %d", p.status)
	}
	if p := setPassword(a, "demo-sms", strings.ToLower(code), forgotNewPassword); p.location != "/login?notice=reset" {
		t.Fatalf("set password: %d %q %s", p.status, p.location, p.text("code-error"))
	}
	if p := other.get("/home"); p.location != "/login" {
		t.Fatalf("other session still open: %d %q", p.status, p.location)
	}
	if p := a.newClient().login("demo-sms", demoPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("old password: %d %q", p.status, p.location)
	}
	if p := a.newClient().login("demo-sms", forgotNewPassword); p.location != "/login/verify" {
		t.Fatalf("new password: %d %q", p.status, p.location)
	}
	if cu := a.customer("demo-sms"); cu.WithdrawalHoldReason != "password_reset" || !cu.WithdrawalHoldUntil.After(a.clock.Now().Add(71*time.Hour)) {
		t.Errorf("withdrawal hold %q until %v", cu.WithdrawalHoldReason, cu.WithdrawalHoldUntil)
	}
	if n := resetNotices(t, a); n["demo-sms@example.jp"] != 1 {
		t.Errorf("notices: %v", n)
	}
	if got := a.auditEventsOf("password.reset"); len(got) != 1 || got[0] != "success" {
		t.Errorf("reset audit: %v", got)
	}
	if got := a.auditEventsOf("support.password"); len(got) != 2 || got[0] != "success" || got[1] != "requested" {
		t.Errorf("support audit: %v", got)
	}
}

// docs/security.md S64: a supervisor gets the code at once; it works
// once, and not after its 30 minutes.
func TestPasswordCodeOneUseAndExpiry(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	code := directPasswordCode(t, a)
	assertLastAudit(t, a, "support.password", "success", "supervisor")
	if p := setPassword(a, "demo-sms", code, forgotNewPassword); p.location != "/login?notice=reset" {
		t.Fatalf("first use: %d %q", p.status, p.location)
	}
	if p := setPassword(a, "demo-sms", code, "Another-kaigan-2027"); p.status != http.StatusUnauthorized {
		t.Fatalf("second use: %d %q", p.status, p.location)
	}
	code = directPasswordCode(t, a)
	a.clock.Advance(31 * time.Minute)
	if p := setPassword(a, "demo-sms", code, "Another-kaigan-2027"); p.status != http.StatusUnauthorized {
		t.Fatalf("expired code: %d %q", p.status, p.location)
	}
	if p := a.newClient().login("demo-sms", forgotNewPassword); p.location != "/login/verify" {
		t.Fatalf("password changed by a refused code: %d %q", p.status, p.location)
	}
	if got := a.auditEventsOf("password.set_code"); len(got) != 2 || got[0] != "failure:expired" || got[1] != "failure:wrong_code" {
		t.Errorf("refusals audit: %v", got)
	}
}

// docs/security.md S64: an unknown login ID and a wrong code read the same.
func TestPasswordCodeWrongCodeAndUnknownIDAlike(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	directPasswordCode(t, a)
	wrong := setPassword(a, "demo-sms", "AAAA-BBBB-CCCC", forgotNewPassword)
	unknown := setPassword(a, "nobody-here", "AAAA-BBBB-CCCC", forgotNewPassword)
	if wrong.status != http.StatusUnauthorized || wrong.status != unknown.status ||
		wrong.text("code-error") == "" || wrong.text("code-error") != unknown.text("code-error") {
		t.Fatalf("wrong code %d %q, unknown ID %d %q", wrong.status, wrong.text("code-error"), unknown.status, unknown.text("code-error"))
	}
}

// docs/security.md S64: tries are limited per login ID with the shared
// reservation: after five wrong codes even the right one is refused.
func TestPasswordCodeThrottledPerLoginID(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	code := directPasswordCode(t, a)
	for i := 0; i < 5; i++ {
		setPassword(a, "demo-sms", "AAAA-BBBB-CCCC", forgotNewPassword)
	}
	if p := setPassword(a, "demo-sms", code, forgotNewPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("right code after five wrong ones: %d %q", p.status, p.location)
	}
	if got := a.auditEventsOf("password.set_code"); len(got) == 0 || got[0] != "throttled:login_id" {
		t.Errorf("audit: %v", got)
	}
}

// docs/security.md S64: partners always need approval, whatever the
// settings say; with password left out of them an agent does not.
func TestPasswordCodePartnerAlwaysNeedsApproval(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.ApprovalActions = []string{"reset"} })
	partner, kase := strongCase(t, a, "partner", "demo-sms")
	if p := partner.post(kase+"/password", nil); p.location != kase+"?notice=password_requested" {
		t.Fatalf("partner: %d %q", p.status, p.location)
	}
	agent, kase := strongCase(t, a, "agent", "demo-sms")
	if p := agent.post(kase+"/password", nil); !tempPassFormat.MatchString(p.text("password-code")) {
		t.Fatalf("agent without approval: %d %q", p.status, p.location)
	}
	if _, err := a.DB.RequestByID(context.Background(), 1); err != nil {
		t.Fatalf("partner's request: %v", err)
	}
}

// The customer the desk gave a code finds /login/set-password from the
// login page, in either language: the temporary pass link beside it asks
// for the password they have forgotten.
func TestLoginPageLinksToSetPassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for lang, want := range map[string]string{"ja": "パスワード設定コード", "en": "code"} {
		p := a.newClient().setLang(lang).get("/login")
		link := p.byTestID("set-password-link")
		if link == nil || attr(link, "href") != "/login/set-password" || !strings.Contains(textOf(link), want) {
			t.Errorf("%s login page: no link to /login/set-password (%q)", lang, p.text("set-password-link"))
		}
	}
}

// The page showing a password-setting code calls it that, also in its
// warning: an agent told "temporary pass" would send the customer to the
// temporary pass login, which needs the password they have forgotten.
func TestPasswordCodePageNamesTheCode(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	sup, kase := strongCase(t, a, "supervisor", "demo-sms")
	p := sup.post(kase+"/password", nil)
	if warn := p.text("notice-warn"); !strings.Contains(warn, "パスワード設定コード") || strings.Contains(warn, "一時パス") {
		t.Errorf("password code page warns %q", warn)
	}
}

// The password-code page tells the agent how the customer finds the
// page: by the login page's link, named as the login page names it, not
// by a path the customer would have to type.
func TestPasswordCodeStepsNameTheLoginLink(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	sup, kase := strongCase(t, a, "supervisor", "demo-sms")
	p := sup.post(kase+"/password", nil)
	label := strings.TrimSpace(a.newClient().get("/login").text("set-password-link"))
	if label == "" {
		t.Fatal("the login page has no link to the password-setting page")
	}
	steps := textOf(find(p.doc, func(n *html.Node) bool { return n.Data == "ol" && attr(n, "class") == "steps" }))
	if !strings.Contains(steps, "「"+label+"」") || strings.Contains(steps, "/login/set-password") {
		t.Errorf("password-code steps %q, want the login page's link %q named", steps, label)
	}
}
