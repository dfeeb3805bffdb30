package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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

// The bank-account change after the account page: the step-up just passed
// for the account page covers it, so the customer is not asked twice in a
// row; the account must be in the customer's own name, however the kana
// is typed; the change uses the step-up up.
func TestBankChangeAfterAccountStepUpAndOwnName(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app") // app ticked for 登録情報; name ヤマダ タロウ
	if p := stepUp(t, a, c, "account", "demo-app", demoTOTPSecret); p.location != "/account" {
		t.Fatalf("account step-up: %d %q", p.status, p.location)
	}
	if p := c.get("/account/bank"); p.status != http.StatusOK {
		t.Fatalf("bank change right after the account step-up: %d %q", p.status, p.location)
	}
	form := url.Values{"bank_name": {"さくら信金"}, "branch_name": {"駅前支店"}, "account_number": {"7654321"},
		"holder_kana": {"スズキ イチロウ"}}
	sent := len(a.outbox())
	p := c.post("/account/bank", form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text("holder_kana-error"), "ご本人名義") {
		t.Fatalf("someone else's account: %d %q", p.status, p.text("holder_kana-error"))
	}
	if p.inputValue("holder_kana") != "スズキ イチロウ" || p.inputValue("account_number") != "7654321" {
		t.Error("the refused form does not keep what was typed")
	}
	if len(a.outbox()) != sent {
		t.Error("a refused change sent a notice")
	}
	form.Set("holder_kana", "ﾔﾏﾀﾞﾀﾛｳ")
	if p := c.post("/account/bank", form); p.location != "/account?notice=bank-changed" {
		t.Fatalf("own account, half-width kana: %d %q %q", p.status, p.location, p.text("holder_kana-error"))
	}
	if p := c.get("/account/bank"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("a second change on the same step-up: %d %q", p.status, p.location)
	}

	// A step-up for another purpose, or one older than the window, does not count.
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	if p := c.get("/account/bank"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("the MFA settings' step-up opened the bank change: %d", p.status)
	}
	stepUp(t, a, c, "account", "demo-app", demoTOTPSecret)
	a.clock.Advance(a.MFA.Config.StepUpWindow + time.Second)
	if p := c.get("/account/bank"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("an account step-up older than the window opened the bank change: %d", p.status)
	}
}

// Where the bank change must be passed with a passkey, an account step-up
// with the app does not stand in for it.
func TestAccountStepUpDoesNotCoverStricterBankChange(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	a.MFA.Config.PhishingResistantFrom = a.clock.Now().Add(-time.Hour)
	a.MFA.Config.InterimMethodsUntil = a.clock.Now().Add(-time.Minute)
	if p := stepUp(t, a, c, "account", "demo-app", demoTOTPSecret); p.location != "/account" {
		t.Fatalf("account step-up with the app: %d %q", p.status, p.location)
	}
	if p := c.get("/account/bank"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("the app's step-up opened a passkey-only bank change: %d", p.status)
	}
}

// A customer who switches the site to English while logged in gets their
// security notices in English from then on; switching back restores
// Japanese.
func TestLanguageChoiceStoredForNotices(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	if p := c.get("/lang?to=en&next=/home"); p.location != "/home" {
		t.Fatalf("language selector: %d %q", p.status, p.location)
	}
	c.get("/home")
	cust, err := a.DB.CustomerByLoginID(t.Context(), "demo-app")
	if err != nil || cust.Lang != "en" {
		t.Fatalf("stored language %q, %v", cust.Lang, err)
	}
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	sent := len(a.outbox())
	c.post("/settings/mfa/totp/remove", nil)
	msgs := a.outbox()
	if len(msgs) <= sent {
		t.Fatal("no notice of the removal")
	}
	if m := msgs[0]; !strings.Contains(m.Body, "authenticator app was removed") || strings.Contains(m.Body, "認証アプリ") {
		t.Errorf("notice not in English: %+v", m)
	}
	c.get("/lang?to=ja&next=/home")
	c.get("/home")
	if cust, err := a.DB.CustomerByLoginID(t.Context(), "demo-app"); err != nil || cust.Lang != "ja" {
		t.Fatalf("stored language after switching back %q, %v", cust.Lang, err)
	}
}
