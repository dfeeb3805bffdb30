package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/mfa"
)

// pwCodeTo is where each demo customer's login code goes.
var pwCodeTo = map[string]string{"demo-email": "demo-email@example.jp", "demo-sms": "090-0000-0002"}

// pwLogin logs a demo customer fully in from a new browser. The clock
// first moves past the resend cool-down, so an earlier login's code is
// never the one read.
func pwLogin(t *testing.T, a *testApp, loginID string) *client {
	t.Helper()
	a.clock.Advance(61 * time.Second)
	c := pendingClient(t, a, loginID)
	if p := c.submitCode(a.lastCode(pwCodeTo[loginID])); p.location != "/home" {
		t.Fatalf("login of %s: %d %q", loginID, p.status, p.text("notice-error"))
	}
	return c
}

// pwChange opens the password page (for its CSRF token) and submits one
// of its forms: kind "login" or "trading".
func pwChange(c *client, kind, current, newPW, confirm string) *page {
	c.t.Helper()
	if p := c.get("/settings/password"); p.status != http.StatusOK {
		c.t.Fatalf("password page: %d %q", p.status, p.location)
	}
	prefix := ""
	if kind == "trading" {
		prefix = "trading_"
	}
	return c.post("/settings/password/"+kind, url.Values{
		"current_" + prefix + "password":     {current},
		"new_" + prefix + "password":         {newPW},
		"new_" + prefix + "password_confirm": {confirm},
	})
}

// pwHashMatches reports whether the stored login or trading password of
// the customer is pw.
func pwHashMatches(t *testing.T, a *testApp, loginID, kind, pw string) bool {
	t.Helper()
	cust, err := a.DB.CustomerByLoginID(context.Background(), loginID)
	if err != nil {
		t.Fatal(err)
	}
	hash := cust.PasswordHash
	if kind == "trading" {
		hash = cust.TradingPasswordHash
	}
	ok, err := mfa.CheckPassword(hash, pw)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestChangeLoginPassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	other := pwLogin(t, a, "demo-email") // e.g. a browser left logged in elsewhere
	other.get("/home")
	other.get("/home") // its session, customer and factors are now in the read cache
	c := pwLogin(t, a, "demo-email")
	const newPW = "river stone maple 2026"

	p := pwChange(c, "login", demoPassword, newPW, newPW)
	if p.status != http.StatusSeeOther || p.location != "/settings/password?notice=login" {
		t.Fatalf("change: %d %q %q", p.status, p.location, p.text("new_password-error"))
	}
	if page := c.get(p.location); !strings.Contains(page.text("notice-info"), "変更しました") {
		t.Errorf("no success notice: %q", page.text("notice-info"))
	}
	// docs/security.md S25: the other session is ended, this one stays.
	if p := other.get("/home"); p.location != "/login" {
		t.Errorf("the other session survived the change: %d %q", p.status, p.location)
	}
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Errorf("the session that made the change was ended: %d %q", p.status, p.location)
	}
	// The new password logs in, the old one does not.
	if p := a.newClient().login("demo-email", newPW); p.location != "/login/verify" {
		t.Errorf("new password refused at login: %d %q", p.status, p.location)
	}
	if p := a.newClient().login("demo-email", demoPassword); p.status != http.StatusUnauthorized {
		t.Errorf("old password still logs in: %d %q", p.status, p.location)
	}
	if !pwHashMatches(t, a, "demo-email", "trading", demoTradingPassword) {
		t.Error("changing the login password changed the trading password")
	}
	// The notice went to the verified email, and no SMS (phone not verified).
	var emails, sms int
	for _, m := range a.outbox() {
		if !strings.Contains(m.Subject+m.Body, "ログインパスワードが変更されました") {
			continue
		}
		switch {
		case m.Channel == "email" && m.To == "demo-email@example.jp" && strings.Contains(m.Body, "0120-000-000"):
			emails++
		case m.Channel == "sms":
			sms++
		}
	}
	if emails != 1 || sms != 0 {
		t.Errorf("notices: %d emails, %d sms; want 1 email, no sms", emails, sms)
	}
}

func TestChangeTradingPassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	other := pwLogin(t, a, "demo-sms")
	c := pwLogin(t, a, "demo-sms")
	const newPW = "朝の散歩 と 緑茶 2026"

	p := pwChange(c, "trading", demoTradingPassword, newPW, newPW)
	if p.location != "/settings/password?notice=trading" {
		t.Fatalf("change: %d %q %q", p.status, p.location, p.text("new_trading_password-error"))
	}
	if !pwHashMatches(t, a, "demo-sms", "trading", newPW) || !pwHashMatches(t, a, "demo-sms", "login", demoPassword) {
		t.Fatal("trading password not changed, or login password touched")
	}
	if p := other.get("/home"); p.location != "/login" {
		t.Errorf("the other session survived the change: %d %q", p.status, p.location)
	}
	// A customer with a verified mobile also gets the short SMS.
	var email, sms bool
	for _, m := range a.outbox() {
		email = email || (m.Channel == "email" && m.To == "demo-sms@example.jp" && strings.Contains(m.Subject, "取引パスワードが変更されました"))
		sms = sms || (m.Channel == "sms" && m.To == "+819000000002" && strings.Contains(m.Body, "取引パスワードが変更されました"))
	}
	if !email || !sms {
		t.Errorf("notices: email %v sms %v", email, sms)
	}
}

func TestPasswordChangeRefusals(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	tests := []struct {
		name    string
		kind    string
		current string
		newPW   string
		confirm string // "" means the same as newPW
		status  int
		field   string
		says    string
	}{
		{"wrong current", "login", "Demo#2025wrong", "river stone maple 2026", "", http.StatusUnauthorized, "current_password", "正しくありません"},
		{"missing current", "login", "", "river stone maple 2026", "", http.StatusUnprocessableEntity, "current_password", "入力してください"},
		{"too short", "login", demoPassword, "k7#mq2L", "", http.StatusUnprocessableEntity, "new_password", "8文字以上"},
		{"too long", "login", demoPassword, strings.Repeat("長い文", 86), "", http.StatusUnprocessableEntity, "new_password", "256文字"},
		{"common", "login", demoPassword, "password123", "", http.StatusUnprocessableEntity, "new_password", "推測されやすい"},
		{"common, full-width", "login", demoPassword, "ＰＡＳＳＷＯＲＤ１２３", "", http.StatusUnprocessableEntity, "new_password", "推測されやすい"},
		{"japanese common", "login", demoPassword, "sakura2024", "", http.StatusUnprocessableEntity, "new_password", "推測されやすい"},
		{"sequential", "login", demoPassword, "23456789", "", http.StatusUnprocessableEntity, "new_password", "順番に並んだ"},
		{"repetitive", "login", demoPassword, "zzzzzzzzzz", "", http.StatusUnprocessableEntity, "new_password", "くり返し"},
		{"contains login id", "login", demoPassword, "my Demo-Email pass", "", http.StatusUnprocessableEntity, "new_password", "ログインID"},
		{"contains service name", "login", demoPassword, "MFAdesk rocks 77", "", http.StatusUnprocessableEntity, "new_password", "mfadesk"},
		{"same as current", "login", demoPassword, demoPassword, "", http.StatusUnprocessableEntity, "new_password", "同じ"},
		{"same as the trading password", "login", demoPassword, demoTradingPassword, "", http.StatusUnprocessableEntity, "new_password", "別のもの"},
		{"confirmation differs", "login", demoPassword, "river stone maple 2026", "river stone maple 2025", http.StatusUnprocessableEntity, "new_password_confirm", "一致しません"},
		{"trading: wrong current", "trading", "Demo#2025wrong", "river stone maple 2026", "", http.StatusUnauthorized, "current_trading_password", "正しくありません"},
		{"trading: common", "trading", demoTradingPassword, "iloveyou", "", http.StatusUnprocessableEntity, "new_trading_password", "推測されやすい"},
		{"trading: same as the login password", "trading", demoTradingPassword, demoPassword, "", http.StatusUnprocessableEntity, "new_trading_password", "別のもの"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confirm := tt.confirm
			if confirm == "" {
				confirm = tt.newPW
			}
			p := pwChange(c, tt.kind, tt.current, tt.newPW, confirm)
			if p.status != tt.status {
				t.Fatalf("status %d, want %d (location %q)", p.status, tt.status, p.location)
			}
			if msg := p.text(tt.field + "-error"); !strings.Contains(msg, tt.says) {
				t.Errorf("message beside %s = %q, want it to say %q", tt.field, msg, tt.says)
			}
			// Typed passwords are never sent back into the page.
			for _, pw := range []string{tt.current, tt.newPW} {
				if pw != "" && strings.Contains(p.body, html.EscapeString(pw)) {
					t.Errorf("the page repeats a typed password %q", pw)
				}
			}
		})
	}
	if !pwHashMatches(t, a, "demo-email", "login", demoPassword) || !pwHashMatches(t, a, "demo-email", "trading", demoTradingPassword) {
		t.Fatal("a refused change changed a password")
	}
}

// Wrong current passwords count as password failures under the login
// limit: after five, even the right one is refused, on this form and at
// login, until the window has passed.
func TestPasswordChangeThrottled(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	const newPW = "river stone maple 2026"
	for i := 1; i <= a.Config.MFA.PasswordFailuresPerAccount; i++ {
		if p := pwChange(c, "login", "Demo#2025wrong", newPW, newPW); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong current %d: %d", i, p.status)
		}
	}
	p := pwChange(c, "login", demoPassword, newPW, newPW)
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.text("current_password-error"), "しばらく") {
		t.Fatalf("right password after the limit: %d %q", p.status, p.text("current_password-error"))
	}
	if p := a.newClient().login("demo-email", demoPassword); p.status != http.StatusUnauthorized {
		t.Errorf("login not throttled by failures on the change form: %d %q", p.status, p.location)
	}
	a.clock.Advance(a.Config.MFA.PasswordWindow + time.Second)
	if p := pwChange(c, "login", demoPassword, newPW, newPW); p.status != http.StatusSeeOther {
		t.Fatalf("change after the window: %d %q", p.status, p.text("current_password-error"))
	}
}

func TestPasswordChangeNeedsCSRFToken(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	c.get("/settings/password")
	for _, token := range []string{"", "forged"} {
		p := c.post("/settings/password/login", url.Values{"_csrf": {token}, "current_password": {demoPassword},
			"new_password": {"river stone maple 2026"}, "new_password_confirm": {"river stone maple 2026"}})
		if p.status != http.StatusForbidden {
			t.Errorf("token %q: %d", token, p.status)
		}
	}
	if !pwHashMatches(t, a, "demo-email", "login", demoPassword) {
		t.Fatal("password changed without a valid CSRF token")
	}
}

func TestPasswordPagesNeedFullLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	anonymous := a.newClient()
	pending := pendingClient(t, a, "demo-email")
	for _, path := range []string{"/settings/password", "/settings/activity"} {
		if p := anonymous.get(path); p.location != "/login" {
			t.Errorf("anonymous %s: %d %q", path, p.status, p.location)
		}
		if p := pending.get(path); p.location != "/login/verify" {
			t.Errorf("password-only session %s: %d %q", path, p.status, p.location)
		}
	}
}

// NIST: long passwords with spaces and any characters are accepted, and
// every character counts (nothing is truncated).
func TestLongUnicodePasswordIsKeptWhole(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	newPW := strings.Repeat("春はあけぼの やうやう白くなりゆく山ぎは 少しあかりて ", 4) + "紫だちたる雲"
	if n := len([]rune(newPW)); n < 100 {
		t.Fatalf("test password is %d characters", n)
	}
	if p := pwChange(c, "login", demoPassword, newPW, newPW); p.status != http.StatusSeeOther {
		t.Fatalf("long password refused: %d %q", p.status, p.text("new_password-error"))
	}
	r := []rune(newPW)
	if p := a.newClient().login("demo-email", string(r[:len(r)-1])); p.status != http.StatusUnauthorized {
		t.Errorf("the password without its last character logs in: %d", p.status)
	}
	if p := a.newClient().login("demo-email", newPW); p.location != "/login/verify" {
		t.Errorf("the long password does not log in: %d", p.status)
	}
}

// Password managers and paste must work: every field is labelled and
// says what it holds, and nothing switches autocomplete off.
func TestPasswordPageWorksWithPasswordManagers(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	p := c.get("/settings/password")
	want := map[string]string{
		"current_password": "current-password", "new_password": "new-password", "new_password_confirm": "new-password",
		"current_trading_password": "current-password", "new_trading_password": "new-password", "new_trading_password_confirm": "new-password",
	}
	for name, autocomplete := range want {
		in := find(p.doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == name })
		if in == nil {
			t.Errorf("no field %s", name)
			continue
		}
		if attr(in, "type") != "password" || attr(in, "autocomplete") != autocomplete || attr(in, "onpaste") != "" {
			t.Errorf("%s: type %q autocomplete %q", name, attr(in, "type"), attr(in, "autocomplete"))
		}
		if find(p.doc, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == attr(in, "id") }) == nil {
			t.Errorf("%s has no label", name)
		}
	}
	if strings.Contains(p.body, `autocomplete="off"`) {
		t.Error("autocomplete is switched off")
	}
	if !p.has("nav-password") || !p.has("nav-activity") {
		t.Error("no account navigation")
	}
}
