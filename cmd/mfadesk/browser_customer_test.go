package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A customer, in a real browser: logs in with the email fallback, enrols
// the authenticator app by reading the QR code off the page, logs out and
// in again with the app, registers a passkey with Chromium's virtual
// authenticator and logs in with the passkey alone.
func TestBrowserCustomerJourney(t *testing.T) {
	b := newBrowserApp(t)
	ctx := newBrowser(t)

	// 1. Email fallback login.
	b.loginWithPassword(t, ctx, "demo-email")
	b.waitPath(t, ctx, "/login/verify")
	b.screenshot(t, ctx, "email-code-page")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/home")
	b.screenshot(t, ctx, "home-after-email-code")

	// 2. Step-up by email, then enrol the authenticator app from the QR code.
	b.run(t, ctx, "settings", chromedp.Navigate(b.base+"/settings/mfa"), chromedp.Click(chromedp.CSS(`[data-testid=start-stepup]`)))
	b.waitPath(t, ctx, "/stepup")
	b.run(t, ctx, "send step-up code", chromedp.Click(chromedp.CSS(`[data-testid=resend]`)))
	b.waitURLContains(t, ctx, "notice=sent")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/settings/mfa")
	b.run(t, ctx, "start enrolment", chromedp.Click(chromedp.CSS(`[data-testid=totp-start]`)))
	b.waitPath(t, ctx, "/settings/mfa/totp")
	b.run(t, ctx, "qr loaded", chromedp.WaitVisible(chromedp.CSS(`img[data-testid=totp-qr]`)))
	b.screenshot(t, ctx, "qr-enrolment")
	u, err := url.Parse(b.readQR(t, ctx, `img[data-testid=totp-qr]`))
	if err != nil || u.Scheme != "otpauth" {
		t.Fatalf("QR on the page is not an otpauth URI: %v %v", u, err)
	}
	secret := u.Query().Get("secret")
	shownKey := value(t, b, ctx, "key text", chromedp.Text(chromedp.CSS(`[data-testid=totp-key]`)))
	if strings.Join(strings.Fields(shownKey), "") != secret {
		t.Fatalf("key shown for reading aloud %q differs from the QR's", shownKey)
	}
	code, _ := totpCodeForTest(secret, b.clock.Now())
	b.run(t, ctx, "confirm enrolment",
		chromedp.SetValue(chromedp.CSS(`#code`), code),
		chromedp.SetValue(chromedp.CSS(`#trading_password`), demoTradingPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=totp-confirm-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/settings/mfa?notice=totp-added")
	b.screenshot(t, ctx, "app-enrolled")

	// 3. Log out and in again with the app.
	b.logout(t, ctx)
	b.clock.Advance(30 * time.Second)
	b.loginWithPassword(t, ctx, "demo-email")
	b.waitPath(t, ctx, "/login/verify")
	code, _ = totpCodeForTest(secret, b.clock.Now())
	b.submitCode(t, ctx, "form[data-testid=verify-form]", code)
	b.waitPath(t, ctx, "/home")
	b.screenshot(t, ctx, "home-after-app")

	// 4. Register a passkey with the browser's virtual authenticator.
	b.run(t, ctx, "virtual authenticator", virtualAuthenticator())
	b.clock.Advance(30 * time.Second)
	b.run(t, ctx, "step-up for passkey", chromedp.Navigate(b.base+"/stepup?op=mfa"))
	code, _ = totpCodeForTest(secret, b.clock.Now())
	b.submitCode(t, ctx, "form[data-testid=verify-form]", code)
	b.waitPath(t, ctx, "/settings/mfa")
	b.run(t, ctx, "passkey page", chromedp.Navigate(b.base+"/settings/passkeys"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid=passkey-register]`)))
	b.screenshot(t, ctx, "passkey-registration")
	b.run(t, ctx, "register passkey",
		chromedp.SetValue(chromedp.CSS(`#name`), "テスト用ブラウザー"),
		chromedp.SetValue(chromedp.CSS(`#trading_password`), demoTradingPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=passkey-register] button[type=submit]`)))
	b.waitPath(t, ctx, "/settings/passkeys?notice=added")
	b.screenshot(t, ctx, "passkey-registered")

	// 5. Log out and in with the passkey alone: no login ID typed.
	b.logout(t, ctx)
	b.run(t, ctx, "passkey login", chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid=passkey-login] button`)),
		chromedp.Click(chromedp.CSS(`form[data-testid=passkey-login] button`)))
	b.waitPath(t, ctx, "/home")
	b.screenshot(t, ctx, "home-after-passkey")
	welcome := value(t, b, ctx, "welcome", chromedp.Text(chromedp.CSS(`[data-testid=welcome]`)))
	if !strings.Contains(welcome, "鈴木") {
		t.Fatalf("passkey logged in as %q", welcome)
	}
}

func (b *browserApp) loginWithPassword(t *testing.T, ctx context.Context, loginID string) {
	t.Helper()
	b.run(t, ctx, "login "+loginID, chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login_id`)),
		chromedp.SetValue(chromedp.CSS(`#login_id`), loginID),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=login-form] button[type=submit]`)))
}

func (b *browserApp) submitCode(t *testing.T, ctx context.Context, form, code string) {
	t.Helper()
	b.run(t, ctx, "submit code", chromedp.WaitVisible(chromedp.CSS(form+` #code`)),
		chromedp.SetValue(chromedp.CSS(form+` #code`), code),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)))
}

func (b *browserApp) logout(t *testing.T, ctx context.Context) {
	t.Helper()
	b.run(t, ctx, "logout", chromedp.Click(chromedp.CSS(`[data-testid=logout]`)))
	b.waitPath(t, ctx, "/login")
}
