package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Each demo customer logs in as docs/design.md §2 says they must.
func TestDemoCustomersLogIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		loginID string
		method  string // what the verify page asks for
		code    func(a *testApp) string
	}{
		{"demo-app", "totp", func(a *testApp) string { return a.totpNow(demoTOTPSecret) }},
		{"demo-sms", "sms", func(a *testApp) string { return a.lastCode("090-0000-0002") }},
		{"demo-email", "email", func(a *testApp) string { return a.lastCode("demo-email@example.jp") }},
	}
	for _, tt := range tests {
		t.Run(tt.loginID, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			c := a.newClient()
			p := c.login(tt.loginID, demoPassword)
			if p.status != http.StatusSeeOther || p.location != "/login/verify" {
				t.Fatalf("password step: status %d location %q", p.status, p.location)
			}
			v := c.get("/login/verify")
			if v.status != http.StatusOK || !v.has("verify-form") {
				t.Fatalf("verify page: status %d, has form %v", v.status, v.has("verify-form"))
			}
			if got := v.has("email-fallback"); got != (tt.method == "email") {
				t.Errorf("email fallback steering shown = %v for %s", got, tt.method)
			}
			p = c.submitCode(tt.code(a))
			if p.status != http.StatusSeeOther || p.location != "/home" {
				t.Fatalf("code step: status %d location %q body %s", p.status, p.location, p.text("code-error"))
			}
			home := c.get("/home")
			if home.status != http.StatusOK || !strings.Contains(home.text("welcome"), "様") {
				t.Fatalf("home: status %d", home.status)
			}
			if !home.has("logout") {
				t.Error("logged-in page has no logout form")
			}
		})
	}
}

func TestNoEmailCustomerRefusedWithRecoveryPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.newClient()
	p := c.login("demo-noemail", demoPassword)
	if p.status != http.StatusForbidden || !p.has("blocked") {
		t.Fatalf("status %d, blocked page %v", p.status, p.has("blocked"))
	}
	if !strings.Contains(p.body, "お客様サポート") || !strings.Contains(p.body, "提携ショップ") {
		t.Error("refusal page does not say how to recover (support, partner shop)")
	}
	if c.get("/home").status != http.StatusSeeOther {
		t.Error("refused customer reached /home")
	}
}

// Before email_required_from the same customer still gets in, warned.
func TestNoEmailCustomerBeforeDeadlineIsWarned(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) {
		cfg.MFA.EmailRequiredFrom = testStart.Add(24 * time.Hour)
	})
	c := a.newClient()
	if p := c.login("demo-noemail", demoPassword); p.location != "/home" {
		t.Fatalf("status %d location %q", p.status, p.location)
	}
	if !c.get("/home").has("noemail-warning") {
		t.Error("no warning about the coming email requirement")
	}
}

// Before login_mfa_from a customer without app or SMS needs no second factor.
func TestLoginMFAOptionalBeforePhase(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) {
		cfg.MFA.LoginMFAFrom = testStart.Add(time.Hour)
		cfg.MFA.EmailRequiredFrom = testStart.Add(2 * time.Hour)
	})
	c := a.newClient()
	if p := c.login("demo-email", demoPassword); p.location != "/home" {
		t.Fatalf("demo-email before the phase: location %q", p.location)
	}
	// A customer who enrolled the app for login still uses it.
	if p := a.newClient().login("demo-app", demoPassword); p.location != "/login/verify" {
		t.Fatalf("demo-app before the phase: location %q", p.location)
	}
}

func TestWrongPasswordAndUnknownUserAnswerAlike(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	wrong := a.newClient().login("demo-app", "not the password")
	unknown := a.newClient().login("nobody-here", "not the password")
	if wrong.status != http.StatusUnauthorized || unknown.status != wrong.status {
		t.Fatalf("status wrong=%d unknown=%d", wrong.status, unknown.status)
	}
	// Bodies differ only in the CSRF token and the echoed login ID.
	norm := func(p *page, id string) string {
		return strings.ReplaceAll(strings.ReplaceAll(p.body, p.inputValue("_csrf"), "T"), id, "ID")
	}
	if norm(wrong, "demo-app") != norm(unknown, "nobody-here") {
		t.Error("wrong password and unknown user pages differ")
	}
}

func TestSessionIDChangesAtEachLevel(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.newClient()
	c.get("/login")
	anon := c.cookie()
	c.post("/login", url.Values{"login_id": {"demo-app"}, "password": {demoPassword}})
	pending := c.cookie()
	c.get("/login/verify")
	c.submitCode(a.totpNow(demoTOTPSecret))
	full := c.cookie()
	// The login page starts no session (a pre-session cookie carries its
	// CSRF token); the password and the second factor each start one.
	if anon != "" || pending == "" || pending == full {
		t.Fatalf("session ids did not all change: %q %q %q", anon, pending, full)
	}
	// The pending session id no longer works once replaced.
	old := a.newClient()
	old.http.Jar.SetCookies(mustURL(a.srv.URL), []*http.Cookie{{Name: "mfadesk", Value: pending}})
	if p := old.get("/login/verify"); p.status != http.StatusSeeOther || p.location != "/login" {
		t.Errorf("old pending session still usable: %d %q", p.status, p.location)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// docs/security.md S22: a session that passed only the password reaches nothing
// but the second-factor pages.
func TestPendingSessionReachesOnlySecondFactor(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.newClient()
	c.login("demo-app", demoPassword)
	for _, path := range []string{"/home", "/"} {
		p := c.get(path)
		if p.status != http.StatusSeeOther || p.location == "/home" {
			t.Errorf("GET %s as pending: %d %q", path, p.status, p.location)
		}
	}
	if p := c.get("/home"); p.location != "/login/verify" {
		t.Errorf("pending session sent to %q, want /login/verify", p.location)
	}
}

func TestLogoutDeletesServerSession(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.newClient()
	c.login("demo-app", demoPassword)
	c.get("/login/verify")
	c.submitCode(a.totpNow(demoTOTPSecret))
	token := c.cookie()
	c.get("/home")
	c.get("/home") // by now the session is served from the read cache
	if p := c.post("/logout", nil); p.status != http.StatusSeeOther || p.location != "/login?notice=logout" {
		t.Fatalf("logout: %d %q", p.status, p.location)
	}
	replay := a.newClient()
	replay.http.Jar.SetCookies(mustURL(a.srv.URL), []*http.Cookie{{Name: "mfadesk", Value: token}})
	if p := replay.get("/home"); p.status != http.StatusSeeOther || p.location != "/login" {
		t.Errorf("session cookie works after logout: %d %q", p.status, p.location)
	}
}

func TestSessionIdleAndAbsoluteLimits(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	loggedIn := func() *client {
		c := a.newClient()
		c.login("demo-email", demoPassword)
		c.get("/login/verify")
		c.submitCode(a.lastCode("demo-email@example.jp"))
		return c
	}
	c := loggedIn()
	a.clock.Advance(29 * time.Minute)
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Fatalf("active after 29 min idle: %d", p.status)
	}
	a.clock.Advance(31 * time.Minute)
	if p := c.get("/home"); p.location != "/login" {
		t.Fatalf("still logged in after 31 min idle: %d %q", p.status, p.location)
	}

	a.clock.Advance(2 * time.Minute) // past the resend cool-down
	c = loggedIn()
	for i := 1; i <= 47; i++ { // active every 15 min for 11 h 45 min
		a.clock.Advance(15 * time.Minute)
		if p := c.get("/home"); p.status != http.StatusOK {
			t.Fatalf("logged out early after %d min: %d", i*15, p.status)
		}
	}
	a.clock.Advance(16 * time.Minute)
	if p := c.get("/home"); p.location != "/login" {
		t.Fatalf("session outlived the 12 h absolute limit: %d", p.status)
	}
}
