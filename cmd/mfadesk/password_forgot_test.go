package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of 「パスワードをお忘れの方」 (docs/security.md S63).

const forgotNewPassword = "Sakura-kaigan-2026"

var demoBirthDates = map[string]string{"demo-app": "1950-04-01", "demo-sms": "1948-11-23", "demo-email": "1960-01-15"}

// forgotStart submits login ID and birth date from a fresh form.
func forgotStart(a *testApp, loginID, birthDate string) (*client, *page) {
	c := a.newClient()
	c.get("/login/forgot")
	p := c.post("/login/forgot", url.Values{"login_id": {loginID}, "birth_date": {birthDate}})
	return c, p
}

// resetCodes are the reset codes in the outbox, by recipient.
func resetCodes(a *testApp) map[string]int {
	out := map[string]int{}
	for _, m := range a.outbox() {
		if strings.Contains(m.Subject+m.Body, "パスワード再設定の確認コード") {
			out[m.To]++
		}
	}
	return out
}

// resetNotices are the notices of a done reset, by recipient.
func resetNotices(t *testing.T, a *testApp) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range a.outbox() {
		if strings.Contains(m.Subject+m.Body, "ログインパスワードが再設定されました") {
			if strings.Contains(m.Body, "http") || sixDigits.MatchString(m.Body) {
				t.Errorf("notice to %s carries a link or a code: %s", m.To, m.Body)
			}
			out[m.To]++
		}
	}
	return out
}

// forgotReset runs the whole reset with code for the second step.
func forgotReset(t *testing.T, a *testApp, loginID string, code func() string) {
	t.Helper()
	c, p := forgotStart(a, loginID, demoBirthDates[loginID])
	if p.location != "/login/forgot/verify" {
		t.Fatalf("knowledge step: %d %q", p.status, p.location)
	}
	c.get("/login/forgot/verify")
	if p := c.post("/login/forgot/verify", url.Values{"code": {code()}}); p.location != "/login/forgot/password" {
		t.Fatalf("factor step: %d %q %s", p.status, p.location, p.text("code-error"))
	}
	c.get("/login/forgot/password")
	weak := c.post("/login/forgot/password", url.Values{"new_password": {"password"}, "new_password_confirm": {"password"}})
	if weak.status != http.StatusUnprocessableEntity || !weak.has("new_password-error") {
		t.Fatalf("weak password: %d", weak.status)
	}
	p = c.post("/login/forgot/password", url.Values{"new_password": {forgotNewPassword}, "new_password_confirm": {forgotNewPassword}})
	if p.location != "/login?notice=reset" {
		t.Fatalf("password step: %d %q", p.status, p.location)
	}
	if p := c.get("/login/forgot/password"); p.location != "/login/forgot" {
		t.Fatalf("reset session survived: %d %q", p.status, p.location)
	}
}

func TestForgotPasswordResetWithTOTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	other := loggedInClient(t, a, "demo-app")
	a.clock.Advance(30 * time.Second) // the login used this step's code
	forgotReset(t, a, "demo-app", func() string { return a.totpNow(demoTOTPSecret) })

	// A customer with an app is never sent an email code.
	if codes := resetCodes(a); len(codes) != 0 {
		t.Fatalf("codes sent to an app customer: %v", codes)
	}
	if p := other.get("/home"); p.location != "/login" {
		t.Fatalf("other session still open: %d %q", p.status, p.location)
	}
	if p := a.newClient().login("demo-app", demoPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("old password: %d %q", p.status, p.location)
	}
	c := a.newClient()
	if p := c.login("demo-app", forgotNewPassword); p.location != "/login/verify" {
		t.Fatalf("new password: %d %q", p.status, p.location)
	}
	c.get("/login/verify")
	a.clock.Advance(30 * time.Second)
	if p := c.submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatalf("login after reset: %d %q", p.status, p.location)
	}
	c.get("/withdrawal")
	if p := c.post("/withdrawal", url.Values{"amount": {"1000"}}); p.status != http.StatusForbidden || !p.has("withdrawal-hold") ||
		!strings.Contains(p.text("withdrawal-hold"), "再設定") {
		t.Fatalf("withdrawal during the hold: %d %q", p.status, p.text("withdrawal-hold"))
	}
	if n := resetNotices(t, a); n["demo-app@example.jp"] != 1 || len(n) != 1 {
		t.Fatalf("notices: %v", n)
	}
	if got := a.auditEventsOf("password.reset"); len(got) != 1 || got[0] != "success" {
		t.Fatalf("audit: %v", got)
	}
}

func TestForgotPasswordResetWithSMS(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	forgotReset(t, a, "demo-sms", func() string {
		// Read before use: a used code's message is scrubbed.
		if codes := resetCodes(a); codes["+819000000002"] != 1 || len(codes) != 1 {
			t.Fatalf("codes: %v", codes)
		}
		return a.lastCode(demoContacts["demo-sms"].phone)
	})
	// Every verified contact hears of it: the email address and the mobile.
	if n := resetNotices(t, a); n["demo-sms@example.jp"] != 1 || n["+819000000002"] != 1 {
		t.Fatalf("notices: %v", n)
	}
	if p := a.newClient().login("demo-sms", forgotNewPassword); p.location != "/login/verify" {
		t.Fatalf("new password: %d %q", p.status, p.location)
	}
}

func TestForgotPasswordResetWithEmail(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	forgotReset(t, a, "demo-email", func() string { return a.lastCode(demoContacts["demo-email"].email) })
	if n := resetNotices(t, a); n["demo-email@example.jp"] != 1 {
		t.Fatalf("notices: %v", n)
	}
	if p := a.newClient().login("demo-email", demoPassword); p.status != http.StatusUnauthorized {
		t.Fatalf("old password: %d %q", p.status, p.location)
	}
}

var csrfValue = regexp.MustCompile(`value="[A-Za-z0-9_-]{20,}"`)

// A wrong birth date, an unknown login ID and a match give the same
// pages; only the match sends a code.
func TestForgotPasswordSamePageWhateverTheDetails(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	var pages []string
	for _, in := range [][2]string{{"demo-email", "1960-01-16"}, {"no-such-customer", "1960-01-15"}, {"demo-email", "1960-01-15"}} {
		c, p := forgotStart(a, in[0], in[1])
		if p.location != "/login/forgot/verify" {
			t.Fatalf("%v: %d %q", in, p.status, p.location)
		}
		v := c.get("/login/forgot/verify")
		r := c.post("/login/forgot/verify", url.Values{"code": {"000000"}})
		pages = append(pages, csrfValue.ReplaceAllString(strings.Join([]string{
			http.StatusText(v.status), v.body, http.StatusText(r.status), r.body}, "\n"), ""))
		if len(pages) == 2 && len(resetCodes(a)) != 0 {
			t.Fatal("a code was sent though nothing matched")
		}
	}
	if pages[0] != pages[1] || pages[1] != pages[2] {
		t.Fatal("the pages tell the cases apart")
	}
	if codes := resetCodes(a); codes["demo-email@example.jp"] != 1 {
		t.Fatalf("codes: %v", codes)
	}
	if got := a.auditEventsOf("password.reset.start"); len(got) != 3 {
		t.Fatalf("audit: %v", got)
	}
}

// Parallel guesses of one login ID's birth date take their places
// atomically: exactly the limit are checked, and then even the right
// date sends nothing.
func TestForgotPasswordThrottledPerLoginID(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	limit := a.MFA.Config.PasswordFailuresPerAccount
	clients := make([]*client, limit+5)
	for i := range clients {
		clients[i] = a.newClient()
		clients[i].get("/login/forgot")
	}
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(len(clients))
	done.Add(len(clients))
	for i, c := range clients {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			date := time.Date(1970, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			c.post("/login/forgot", url.Values{"login_id": {"demo-email"}, "birth_date": {date}})
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()

	outcomes := map[string]int{}
	for _, o := range a.auditEventsOf("password.reset.start") {
		outcomes[o]++
	}
	if outcomes["failure:no_match"] != limit || outcomes["throttled:login_id"] != 5 {
		t.Fatalf("outcomes: %v", outcomes)
	}
	if _, p := forgotStart(a, "demo-email", demoBirthDates["demo-email"]); p.location != "/login/forgot/verify" {
		t.Fatalf("throttled try: %d %q", p.status, p.location)
	}
	if codes := resetCodes(a); len(codes) != 0 {
		t.Fatalf("a throttled login ID was sent a code: %v", codes)
	}
}

// A locked second factor stays locked: the reset cannot pass it.
func TestForgotPasswordLockedCustomerRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	lockCustomer(t, a)
	before := a.customer("demo-app").PasswordHash
	c, _ := forgotStart(a, "demo-app", demoBirthDates["demo-app"])
	c.get("/login/forgot/verify")
	a.clock.Advance(30 * time.Second)
	if p := c.post("/login/forgot/verify", url.Values{"code": {a.totpNow(demoTOTPSecret)}}); p.status != http.StatusUnauthorized {
		t.Fatalf("locked customer passed: %d %q", p.status, p.location)
	}
	if p := c.get("/login/forgot/password"); p.location != "/login/forgot" {
		t.Fatalf("password step reached: %d %q", p.status, p.location)
	}
	if a.customer("demo-app").PasswordHash != before {
		t.Fatal("password changed")
	}
}

// Email alone never proves a reset when a stronger factor is enrolled: a
// customer whose only strong factor is a passkey is sent no email code,
// and no code passes (the passkey does: TestForgotPasswordResetWithPasskey).
func TestForgotPasswordNoEmailWhenStrongerFactor(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.addPasskey("demo-email", "phone")
	c, p := forgotStart(a, "demo-email", demoBirthDates["demo-email"])
	if p.location != "/login/forgot/verify" {
		t.Fatalf("knowledge step: %d %q", p.status, p.location)
	}
	if codes := resetCodes(a); len(codes) != 0 {
		t.Fatalf("email code sent beside a passkey: %v", codes)
	}
	c.get("/login/forgot/verify")
	if p := c.post("/login/forgot/verify", url.Values{"code": {"000000"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("code step: %d %q", p.status, p.location)
	}
	if got := a.auditEventsOf("password.reset.start"); len(got) != 1 || got[0] != "matched:passkey" {
		t.Fatalf("audit: %v", got)
	}
}
