package main

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/net/html"
)

var demoContacts = map[string]struct{ email, phone string }{
	"demo-app":   {"demo-app@example.jp", ""},
	"demo-sms":   {"demo-sms@example.jp", "090-0000-0002"},
	"demo-email": {"demo-email@example.jp", ""},
}

// loggedInClient logs a demo customer in with their usual factor.
func loggedInClient(t *testing.T, a *testApp, loginID string) *client {
	t.Helper()
	c := pendingClient(t, a, loginID)
	if p := c.submitCode(demoLoginCode(a, loginID)); p.location != "/home" {
		t.Fatalf("login %s: %d %q", loginID, p.status, p.text("code-error")+p.text("notice-error"))
	}
	c.get("/home") // as a browser does; the new session's CSRF token comes with it
	return c
}

// demoLoginCode is the second factor's code of a demo customer's login:
// the app's, or the last one sent by SMS or e-mail.
func demoLoginCode(a *testApp, loginID string) string {
	switch loginID {
	case "demo-app":
		return a.totpNow(demoTOTPSecret)
	case "demo-sms":
		return a.lastCode(demoContacts[loginID].phone)
	}
	return a.lastCode(demoContacts[loginID].email)
}

// stepUp passes the step-up for op with the method the page offers,
// reading codes as the customer would; secret is the app's key if the
// page asks for the app.
func stepUp(t *testing.T, a *testApp, c *client, op, loginID, secret string) *page {
	t.Helper()
	p := c.get("/stepup?op=" + url.QueryEscape(op))
	if p.status != http.StatusOK {
		t.Fatalf("step-up page: %d", p.status)
	}
	method := p.inputValue("method")
	form := url.Values{"op": {op}, "method": {method}}
	var code string
	switch method {
	case "totp":
		a.clock.Advance(30 * time.Second) // the login used this step's code
		code = totpAt(t, a.clock.Now())
		if secret != demoTOTPSecret {
			c, err := totpCodeForTest(secret, a.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			code = c
		}
	case "email", "sms":
		if r := c.post("/stepup/send", form); !strings.Contains(r.location, "notice=sent") {
			t.Fatalf("send step-up code: %q", r.location)
		}
		to := demoContacts[loginID].email
		if method == "sms" {
			to = demoContacts[loginID].phone
		}
		code = a.lastCode(to)
	default:
		t.Fatalf("step-up method %q", method)
	}
	form.Set("code", code)
	r := c.post("/stepup", form)
	if r.location != "" {
		c.get(r.location) // follow, as a browser does: the session id and token changed
	}
	return r
}

// decodeQR reads the otpauth:// URI back out of the served PNG, as an
// authenticator app's camera would.
func decodeQR(t *testing.T, pngBytes []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatalf("qr png: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The PNG is the code alone, as drawn: PURE_BARCODE reads it as such
	// instead of hunting for finder patterns, which missed about one
	// random secret in a hundred.
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("decode qr: %v", err)
	}
	return res.GetText()
}

func (c *client) getBytes(path string) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.srv.URL+path, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

// The whole enrolment as a customer meets it: step-up by email, scan the
// QR code, confirm with a code and the trading password, then log in
// with the app.
func TestEnrolAuthenticatorAppFromQRCode(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email")
	if p := c.get("/settings/mfa"); !p.has("stepup-needed") || p.has("totp-start") {
		t.Fatal("settings offered changes without a fresh second factor")
	}
	if p := stepUp(t, a, c, "mfa", "demo-email", ""); p.location != "/settings/mfa" {
		t.Fatalf("step-up: %d %q %s", p.status, p.location, p.text("code-error")+p.text("notice-error"))
	}
	if p := c.post("/settings/mfa/totp/start", nil); p.location != "/settings/mfa/totp" {
		t.Fatalf("start: %d %q", p.status, p.location)
	}
	page := c.get("/settings/mfa/totp")
	if !page.has("totp-qr") || page.text("totp-key") == "" {
		t.Fatal("enrolment page lacks the QR code or the key as text")
	}
	resp, img := c.getBytes("/settings/mfa/totp/qr.png")
	if resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("qr: %s cache %q", resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	u, err := url.Parse(decodeQR(t, img))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("qr uri %v (%v)", u, err)
	}
	secret := u.Query().Get("secret")
	if u.Query().Get("issuer") == "" || !strings.Contains(u.Path, "demo-email") || len(secret) < 32 {
		t.Fatalf("otpauth uri lacks issuer, label or a 160-bit secret: %s", u)
	}
	if strings.ReplaceAll(page.text("totp-key"), " ", "") != secret {
		t.Error("the key shown as text differs from the QR code's")
	}
	code, err := totpCodeForTest(secret, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"code": {code}, "trading_password": {demoTradingPassword},
		"use_login": {"on"}, "use_account": {"on"}, "use_withdrawal": {"on"}}
	if p := c.post("/settings/mfa/totp/confirm", form); p.location != "/settings/mfa?notice=totp-added" {
		t.Fatalf("confirm: %d %q %s", p.status, p.location, p.text("code-error")+p.text("trading_password-error"))
	}
	if !strings.Contains(a.outbox()[0].Subject+a.outbox()[0].Body, "登録されました") {
		t.Error("no notice that a factor was added")
	}

	// The next login asks for the app; the enrolment code itself is spent (docs/security.md S2).
	next := pendingClient(t, a, "demo-email")
	if next.get("/login/verify").inputValue("code") != "" || next.get("/login/verify").has("email-fallback") {
		t.Fatal("login still falls back to email")
	}
	if p := next.submitCode(code); p.location == "/home" {
		t.Fatal("the code that confirmed the enrolment logged in")
	}
	a.clock.Advance(30 * time.Second)
	later, _ := totpCodeForTest(secret, a.clock.Now())
	if p := next.submitCode(later); p.location != "/home" {
		t.Fatalf("login with the new app: %d", p.status)
	}
}

func TestEnrolmentRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		code      func(secret string, a *testApp) string
		trading   string
		field     string
		wantState int
	}{
		{"wrong code", func(string, *testApp) string { return "000000" }, demoTradingPassword, "code-error", http.StatusUnauthorized},
		{"wrong trading password", func(s string, a *testApp) string { c, _ := totpCodeForTest(s, a.clock.Now()); return c },
			"Wrong#trade", "trading_password-error", http.StatusUnauthorized},
		{"malformed code", func(string, *testApp) string { return "12" }, demoTradingPassword, "code-error", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			c := loggedInClient(t, a, "demo-email")
			stepUp(t, a, c, "mfa", "demo-email", "")
			c.post("/settings/mfa/totp/start", nil)
			secret := strings.ReplaceAll(c.get("/settings/mfa/totp").text("totp-key"), " ", "")
			p := c.post("/settings/mfa/totp/confirm", url.Values{"code": {tt.code(secret, a)}, "trading_password": {tt.trading}, "use_login": {"on"}})
			if p.status != tt.wantState || !p.has(tt.field) {
				t.Fatalf("status %d, %s shown %v", p.status, tt.field, p.has(tt.field))
			}
			if p := c.get("/settings/mfa"); p.has("factor-totp") {
				t.Fatal("refused enrolment left a factor")
			}
		})
	}
}

// docs/security.md S26 and S27: factor changes need a fresh second factor, checked
// on the server, and one older than the window does not count.
func TestFactorChangesNeedFreshStepUp(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	for _, path := range []string{"/settings/mfa/totp/remove", "/settings/mfa/totp/start", "/settings/mfa/recovery", "/settings/mfa/uses"} {
		if p := c.post(path, nil); !strings.HasPrefix(p.location, "/stepup?") {
			t.Errorf("POST %s without step-up: %d %q", path, p.status, p.location)
		}
	}
	if p := stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret); p.location != "/settings/mfa" {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	a.clock.Advance(5*time.Minute + time.Second)
	if p := c.post("/settings/mfa/totp/remove", nil); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("step-up older than the window accepted: %q", p.location)
	}
	// A step-up for another operation does not count either.
	stepUp(t, a, c, "account", "demo-app", demoTOTPSecret)
	if p := c.post("/settings/mfa/totp/remove", nil); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("step-up for account accepted for factor removal: %q", p.location)
	}
}

func TestRemoveAuthenticatorAfterStepUp(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	other := loggedInClient(t, a, "demo-app") // e.g. the old phone's browser
	a.clock.Advance(30 * time.Second)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	if p := c.post("/settings/mfa/totp/remove", nil); p.location != "/settings/mfa?notice=totp-removed" {
		t.Fatalf("remove: %d %q", p.status, p.location)
	}
	if p := other.get("/home"); p.location != "/login" {
		t.Error("the customer's other session survived the factor removal")
	}
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Error("the session that removed the factor was ended")
	}
	if !strings.Contains(a.outbox()[0].Subject+a.outbox()[0].Body, "削除されました") {
		t.Error("no notice of the removal")
	}
	// Login now falls back to email.
	if p := pendingClient(t, a, "demo-app").get("/login/verify"); !p.has("email-fallback") {
		t.Error("after removal, login does not fall back to email")
	}
}

// Device change in one flow: the old app keeps working until the new one
// is confirmed, then stops.
func TestReplaceAuthenticatorInOneFlow(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	c.post("/settings/mfa/totp/start", nil)
	newSecret := strings.ReplaceAll(c.get("/settings/mfa/totp").text("totp-key"), " ", "")
	a.clock.Advance(30 * time.Second)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatal("old app stopped working before the new one was confirmed")
	}
	a.clock.Advance(30 * time.Second)
	code, _ := totpCodeForTest(newSecret, a.clock.Now())
	if p := c.post("/settings/mfa/totp/confirm", url.Values{"code": {code}, "trading_password": {demoTradingPassword}, "use_login": {"on"}}); p.location != "/settings/mfa?notice=totp-added" {
		t.Fatalf("confirm new: %d %q", p.status, p.location)
	}
	a.clock.Advance(30 * time.Second)
	if p := pendingClient(t, a, "demo-app").submitCode(a.totpNow(demoTOTPSecret)); p.location == "/home" {
		t.Fatal("old app still works after the replacement")
	}
	a.clock.Advance(30 * time.Second)
	code, _ = totpCodeForTest(newSecret, a.clock.Now())
	if p := pendingClient(t, a, "demo-app").submitCode(code); p.location != "/home" {
		t.Fatal("new app does not work")
	}
}

func TestEnrolSMS(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email")
	stepUp(t, a, c, "mfa", "demo-email", "")
	a.clock.Advance(61 * time.Second) // send cool-down after the step-up code
	if p := c.post("/settings/mfa/sms", nil); p.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST to the confirm page: %d", p.status)
	}
	if p := c.post("/settings/mfa/sms/send", url.Values{"phone": {"abc"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad number: %d", p.status)
	}
	if p := c.post("/settings/mfa/sms/send", url.Values{"phone": {"０８０ー１２３４ー５６７８"}}); p.location != "/settings/mfa/sms" {
		t.Fatalf("send: %d %q", p.status, p.location)
	}
	c.get("/settings/mfa/sms")
	code := a.lastCode("080-1234-5678")
	if p := c.post("/settings/mfa/sms/confirm", url.Values{"code": {code}, "trading_password": {"nope"}, "use_login": {"on"}}); !p.has("trading_password-error") {
		t.Fatalf("wrong trading password: %d", p.status)
	}
	if p := c.post("/settings/mfa/sms/confirm", url.Values{"code": {code}, "trading_password": {demoTradingPassword}, "use_login": {"on"}}); p.location != "/settings/mfa?notice=sms-added" {
		t.Fatalf("confirm: %d %q %s", p.status, p.location, p.text("code-error"))
	}
	if p := pendingClient(t, a, "demo-email").get("/login/verify"); p.has("email-fallback") || !strings.Contains(p.text("verify-instructions"), "5678") {
		t.Fatalf("login does not use the new SMS number: %q", p.text("verify-instructions"))
	}
}

func TestUsesDecideWhichFactorLogsIn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	settings := c.get("/settings/mfa")
	id := ""
	for _, f := range settings.forms() {
		if n := find(f, func(n *html.Node) bool { return strings.HasPrefix(attr(n, "name"), "use_login_") }); n != nil {
			id = strings.TrimPrefix(attr(n, "name"), "use_login_")
		}
	}
	if id == "" {
		t.Fatal("no use checkboxes")
	}
	// Untick login: keep account and withdrawal.
	p := c.post("/settings/mfa/uses", url.Values{"use_account_" + id: {"on"}, "use_withdrawal_" + id: {"on"}})
	if p.location != "/settings/mfa?notice=saved" {
		t.Fatalf("save: %d %q", p.status, p.location)
	}
	if p := pendingClient(t, a, "demo-app").get("/login/verify"); !p.has("email-fallback") {
		t.Error("app still asked at login after 「ログインで利用する」 was unticked")
	}
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	codes := issueRecoveryCodes(t, c)
	if c.get("/settings/mfa").text("recovery-remaining") != "残り 10 個" {
		t.Error("remaining count wrong")
	}
	if r := useRecoveryCode(t, a, "demo-app", strings.ToUpper(codes[3])); r.location != "/home" {
		t.Fatalf("recovery code refused: %d %s", r.status, r.text("notice-error"))
	}
	if r := useRecoveryCode(t, a, "demo-app", codes[3]); r.location == "/home" {
		t.Fatal("a recovery code passed twice")
	}
	// Regenerating voids the old set.
	a.clock.Advance(30 * time.Second)
	c = loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	c.post("/settings/mfa/recovery", nil)
	if r := useRecoveryCode(t, a, "demo-app", codes[5]); r.location == "/home" {
		t.Fatal("an old recovery code passed after regeneration")
	}
}

// docs/security.md S21: passing a step-up gives the session a new id, and the old
// one stops working.
func TestStepUpRotatesSessionID(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	before := c.cookie()
	if p := stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret); p.location != "/settings/mfa" {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	after := c.cookie()
	if before == "" || after == before {
		t.Fatalf("session id not rotated at step-up: %q → %q", before, after)
	}
	old := a.newClient()
	old.http.Jar.SetCookies(mustURL(a.srv.URL), []*http.Cookie{{Name: "mfadesk", Value: before}})
	if p := old.get("/home"); p.location != "/login" {
		t.Fatalf("pre-step-up session still works: %d %q", p.status, p.location)
	}
}
