package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The support side, in a real browser, continuing the customer's story:
// an agent finds the customer, verifies them by possession (a link the
// customer confirms), asks for a reset with a temporary pass; a
// supervisor approves; the agent shows the pass once; the customer logs in
// with it and enrols a new authenticator app from the QR code.
func TestBrowserSupportResetAndTempPass(t *testing.T) {
	b := newBrowserApp(t)
	if _, err := seedDemoStaff(context.Background(), b.App); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)

	// The agent finds the customer and opens a phone case.
	b.staffLogin(t, ctx, "agent")
	b.run(t, ctx, "search", chromedp.Navigate(b.base+"/console/customers?q="+url.QueryEscape("demo-app")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-result]`)))
	b.screenshot(t, ctx, "agent-search")
	b.run(t, ctx, "open case",
		chromedp.SetValue(chromedp.CSS(`[data-testid=open-case-form] #reason`), "スマートフォンを紛失"),
		chromedp.Click(chromedp.CSS(`[data-testid=open-case-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/console/cases/")
	kase := strings.SplitN(b.path(t, ctx), "?", 2)[0]

	// Possession: a link goes to the customer's email; they confirm it on
	// their own device, and the case shows it.
	b.run(t, ctx, "send link", chromedp.Click(chromedp.CSS(`[data-testid=send-email] button`)))
	b.waitURLContains(t, ctx, "notice=link_sent")
	if p := b.answerLink(b.lastLink("demo-app@example.jp"), "yes"); !p.has("link-done") {
		t.Fatalf("confirm link: %d", p.status)
	}
	b.run(t, ctx, "case", chromedp.Navigate(b.base+kase), chromedp.WaitVisible(chromedp.CSS(`[data-strength=strong]`)))
	b.screenshot(t, ctx, "agent-verified")

	// The reset with a temporary pass becomes a request for approval.
	b.run(t, ctx, "request reset", chromedp.Click(chromedp.CSS(`[data-testid=reset-form] button[type=submit]`)))
	b.waitURLContains(t, ctx, "notice=reset_requested")
	b.screenshot(t, ctx, "agent-reset-requested")
	b.staffLogout(t, ctx)

	// The supervisor approves it from the queue.
	b.staffLogin(t, ctx, "supervisor")
	b.run(t, ctx, "queue", chromedp.Navigate(b.base+"/console/requests"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=request]`)))
	b.screenshot(t, ctx, "supervisor-queue")
	b.run(t, ctx, "approve", chromedp.Click(chromedp.CSS(`[data-testid=approve-form] button`)))
	b.waitURLContains(t, ctx, "notice=approved")
	b.staffLogout(t, ctx)

	// The agent shows the pass once, on the case.
	b.staffLogin(t, ctx, "agent")
	b.run(t, ctx, "case", chromedp.Navigate(b.base+kase),
		chromedp.Click(chromedp.CSS(`[data-testid=issue-pass-form] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=temp-pass]`)))
	b.screenshot(t, ctx, "agent-temp-pass")
	pass := value(t, b, ctx, "pass", chromedp.Text(chromedp.CSS(`[data-testid=temp-pass]`)))
	b.staffLogout(t, ctx)

	// The customer logs in with ID, password and pass, and enrols again.
	b.run(t, ctx, "temp pass login", chromedp.Navigate(b.base+"/login/temp-pass"),
		chromedp.SetValue(chromedp.CSS(`#login_id`), "demo-app"),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.SetValue(chromedp.CSS(`#temp_pass`), strings.TrimSpace(pass)),
		chromedp.Click(chromedp.CSS(`[data-testid=temp-pass-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/settings/mfa")
	b.screenshot(t, ctx, "customer-after-pass")
	b.run(t, ctx, "start enrolment", chromedp.Click(chromedp.CSS(`[data-testid=totp-start]`)))
	b.waitPath(t, ctx, "/settings/mfa/totp")
	u, err := url.Parse(b.readQR(t, ctx, `img[data-testid=totp-qr]`))
	if err != nil {
		t.Fatal(err)
	}
	secret := u.Query().Get("secret")
	if secret == demoTOTPSecret {
		t.Fatal("enrolment reused the old secret")
	}
	code, _ := totpCodeForTest(secret, b.clock.Now())
	b.run(t, ctx, "confirm enrolment",
		chromedp.SetValue(chromedp.CSS(`#code`), code),
		chromedp.SetValue(chromedp.CSS(`#trading_password`), demoTradingPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=totp-confirm-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/settings/mfa?notice=totp-added")
	b.screenshot(t, ctx, "customer-enrolled-again")

	// And logs in with the new app.
	b.logout(t, ctx)
	b.clock.Advance(30 * time.Second)
	b.loginWithPassword(t, ctx, "demo-app")
	b.waitPath(t, ctx, "/login/verify")
	code, _ = totpCodeForTest(secret, b.clock.Now())
	b.submitCode(t, ctx, "form[data-testid=verify-form]", code)
	b.waitPath(t, ctx, "/home")
}

func (b *browserApp) staffLogin(t *testing.T, ctx context.Context, login string) {
	t.Helper()
	b.clock.Advance(30 * time.Second) // each staff login uses a new TOTP step
	b.run(t, ctx, "staff login "+login, chromedp.Navigate(b.base+"/console/login"),
		chromedp.SetValue(chromedp.CSS(`#login_id`), login),
		chromedp.SetValue(chromedp.CSS(`#password`), demoStaffPassword),
		chromedp.Click(chromedp.CSS(`[data-testid=console-login-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/console/login/totp")
	code, _ := totpCodeForTest(demoTOTPSecret, b.clock.Now())
	b.submitCode(t, ctx, "form[data-testid=console-totp-form]", code)
	b.waitPath(t, ctx, "/console")
}

func (b *browserApp) staffLogout(t *testing.T, ctx context.Context) {
	t.Helper()
	b.run(t, ctx, "staff logout", chromedp.Click(chromedp.CSS(`[data-testid=console-logout]`)))
	b.waitPath(t, ctx, "/console/login")
}
