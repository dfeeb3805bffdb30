package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A customer whose only strong factor is a passkey resets a forgotten
// password in a real browser (docs/security.md S63): login ID and birth
// date, then 「パスキーで確認する」 with Chromium's virtual authenticator,
// then the new password.
func TestBrowserForgotPasswordWithPasskey(t *testing.T) {
	b := newBrowserApp(t)
	ctx := newBrowser(t)

	b.loginWithPassword(t, ctx, "demo-email")
	b.waitPath(t, ctx, "/login/verify")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/home")
	b.run(t, ctx, "virtual authenticator", virtualAuthenticator())
	b.run(t, ctx, "step-up", chromedp.Navigate(b.base+"/stepup?op=mfa"), chromedp.Click(chromedp.CSS(`[data-testid=resend]`)))
	b.waitURLContains(t, ctx, "notice=sent")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/settings/mfa")
	b.run(t, ctx, "register passkey", chromedp.Navigate(b.base+"/settings/passkeys"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid=passkey-register]`)),
		chromedp.SetValue(chromedp.CSS(`#name`), "テスト用ブラウザー"),
		chromedp.SetValue(chromedp.CSS(`#trading_password`), demoTradingPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=passkey-register] button[type=submit]`)))
	b.waitPath(t, ctx, "/settings/passkeys?notice=added")
	b.logout(t, ctx)

	b.run(t, ctx, "forgot", chromedp.Navigate(b.base+"/login/forgot"),
		chromedp.WaitVisible(chromedp.CSS(`#login_id`)),
		chromedp.SetValue(chromedp.CSS(`#login_id`), "demo-email"),
		chromedp.SetValue(chromedp.CSS(`#birth_date`), demoBirthDates["demo-email"]),
		chromedp.Click(chromedp.CSS(`form[data-testid=forgot-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/login/forgot/verify")
	passkey := `[data-testid=forgot-passkey] form[data-testid=passkey-check] button`
	b.run(t, ctx, "passkey offered", chromedp.WaitVisible(chromedp.CSS(passkey)))
	b.screenshot(t, ctx, "forgot-verify-with-passkey")
	b.run(t, ctx, "confirm with the passkey", chromedp.Click(chromedp.CSS(passkey)))
	b.waitPath(t, ctx, "/login/forgot/password")
	b.run(t, ctx, "new password", chromedp.WaitVisible(chromedp.CSS(`form[data-testid=forgot-password-form] #new_password`)),
		chromedp.SetValue(chromedp.CSS(`#new_password`), forgotNewPassword),
		chromedp.SetValue(chromedp.CSS(`#new_password_confirm`), forgotNewPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=forgot-password-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/login?notice=reset")
}
