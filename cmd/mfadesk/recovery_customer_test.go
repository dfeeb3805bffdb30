package main

import (
	"net/http"
	"strings"
	"testing"
)

// After support resets the factors, the enrolment page the customer lands
// on says why, in the customer's language; a customer who owes no
// enrolment sees no such notice.
func TestResetCustomerToldWhyOnEnrolment(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	if p := loggedInClient(t, a, "demo-app").get("/settings/mfa"); p.status != http.StatusOK || p.has("reset-notice") {
		t.Fatalf("notice shown without a reset: %d %v", p.status, p.has("reset-notice"))
	}
	pass := resetWithPass(t, a, "demo-app")
	c, p := tempPassLogin(a, "demo-app", pass)
	if p.location != "/settings/mfa" {
		t.Fatalf("temp pass login: %d %q", p.status, p.location)
	}
	p = c.get("/settings/mfa")
	if got := p.text("reset-notice"); !strings.Contains(got, "サポートで多要素認証をリセットしました") || !strings.Contains(got, "登録してください") {
		t.Errorf("ja notice: %q", got)
	}
	if got := c.setLang("en").get("/settings/mfa").text("reset-notice"); !strings.Contains(got, "Support has reset") {
		t.Errorf("en notice: %q", got)
	}
	c.setLang("ja")
	enrolApp(t, a, c)
	if p := c.get("/settings/mfa"); p.has("reset-notice") {
		t.Error("the notice stays after the customer has enrolled")
	}
}

// Every signed-in customer page leads back to マイページ; the login pages,
// before the customer is signed in, do not.
func TestCustomerPagesLinkHome(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	for _, path := range []string{"/home", "/settings/mfa", "/settings/passkeys", "/settings/password",
		"/settings/activity", "/withdrawal", "/stepup?op=mfa"} {
		p := c.get(path)
		link := p.byTestID("nav-home")
		if p.status != http.StatusOK || link == nil || attr(link, "href") != "/home" || textOf(link) != "マイページ" {
			t.Errorf("%s: %d, no link to マイページ", path, p.status)
		}
	}
	if link := c.get("/home").byTestID("nav-home"); attr(link, "aria-current") != "page" {
		t.Error("the home page's own link is not marked current")
	}
	if p := a.newClient().get("/login"); p.has("nav-home") {
		t.Error("the login page links to マイページ")
	}
	if p := pendingClient(t, a, "demo-app").get("/login/verify"); p.has("nav-home") {
		t.Error("the second-factor page links to マイページ")
	}
}

// On a phone the QR code cannot be scanned by the phone showing it: the
// enrolment page also links to the same otpauth:// address, which the
// security headers do not stand in the way of (CSP governs what a page
// loads, not where a link goes).
func TestTOTPEnrolmentOffersAppLink(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	if p := c.post("/settings/mfa/totp/start", nil); p.location != "/settings/mfa/totp" {
		t.Fatalf("start enrolment: %d %q", p.status, p.location)
	}
	p := c.get("/settings/mfa/totp")
	link := attr(p.byTestID("totp-app-link"), "href")
	_, img := c.getBytes("/settings/mfa/totp/qr.png")
	if qr := decodeQR(t, img); link != qr || !strings.HasPrefix(link, "otpauth://totp/") {
		t.Errorf("app link %q, QR code %q", link, qr)
	}
	csp := p.header.Get("Content-Security-Policy")
	if strings.Contains(csp, "navigate-to") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("CSP changed: %q", csp)
	}
}

// A login with the passkey alone reads as a passkey login in the
// customer's activity, not as a password check.
func TestActivityLabelsPasskeyLogin(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	key := newSoftKey()
	key.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	c := passkeyClient(t, a, key)
	rows := activityEntries(c.get("/settings/activity"))
	if len(rows) == 0 || rows[0].what != "ログイン（パスキー）" || rows[0].result != "成功" {
		t.Fatalf("newest row is not the passkey login: %+v", rows)
	}
	en := activityEntries(c.setLang("en").get("/settings/activity"))
	if len(en) == 0 || en[0].what != "Login (Passkey)" {
		t.Errorf("en newest row %+v", en)
	}
}
