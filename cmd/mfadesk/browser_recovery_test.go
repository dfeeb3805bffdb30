package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The ways back in, in a real browser, as a customer and the desk meet
// them: each walk ends in a working login.

// A customer with an authenticator app who forgot the password resets it
// alone from the login page, then logs in with the new one.
func TestBrowserRecoveryForgotPasswordSelfService(t *testing.T) {
	b := newRecoveryBrowser(t)
	ctx := newJapaneseBrowser(t)

	b.run(t, ctx, "login page", chromedp.Navigate(b.base+"/login"))
	b.follow(t, ctx, "ui.login.forgot_link")
	b.waitPath(t, ctx, "/login/forgot")
	b.fill(t, ctx, "login_id", "demo-app", "birth_date", demoBirthDates["demo-app"])
	b.screenshot(t, ctx, "forgot-details")
	b.press(t, ctx, "ui.forgot.next")

	b.waitPath(t, ctx, "/login/forgot/verify")
	code, _ := totpCodeForTest(demoTOTPSecret, b.clock.Now())
	b.fill(t, ctx, "code", code)
	b.screenshot(t, ctx, "forgot-app-code")
	b.press(t, ctx, "ui.forgot.next")

	b.waitPath(t, ctx, "/login/forgot/password")
	b.fill(t, ctx, "new_password", forgotNewPassword, "new_password_confirm", forgotNewPassword)
	b.screenshot(t, ctx, "forgot-new-password")
	b.press(t, ctx, "ui.forgot.password.submit")
	b.waitPath(t, ctx, "/login?notice=reset")
	b.screenshot(t, ctx, "forgot-done")

	b.refusedLogin(t, ctx, "demo-app", demoPassword)
	b.screenshot(t, ctx, "old-password-refused")
	b.totpLogin(t, ctx, "demo-app", forgotNewPassword, demoTOTPSecret)
	b.screenshot(t, ctx, "home-with-new-password")
}

// A customer who cannot reset alone gets a one-use code from the desk:
// the agent verifies them by a link they confirm on their own device,
// asks for the code, a supervisor approves, the agent reads it out, and
// the customer sets a new password with it and logs in.
func TestBrowserRecoveryForgotPasswordByTheDesk(t *testing.T) {
	b := newRecoveryBrowser(t)
	agent := newJapaneseBrowser(t)
	customer := newTab(t, agent)
	supervisor := newTab(t, agent)

	// The agent finds the customer and opens a phone case.
	b.staffLogin(t, agent, "agent")
	b.follow(t, agent, "ui.console.nav.customers")
	b.waitPath(t, agent, "/console/customers")
	b.fill(t, agent, "q", "demo-app")
	b.press(t, agent, "ui.console.search.submit")
	b.run(t, agent, "results", chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-result]`)))
	b.fill(t, agent, "reason", "ログインパスワードを忘れた")
	b.press(t, agent, "ui.console.open_case.submit")
	b.waitPath(t, agent, "/console/cases/")

	// Possession: the link goes by email; the customer confirms it.
	b.press(t, agent, "ui.console.case.verify.send_link_email")
	b.waitURLContains(t, agent, "notice=link_sent")
	b.run(t, customer, "open link", chromedp.Navigate(b.base+b.lastLink(emailOf("demo-app"))))
	b.screenshot(t, customer, "customer-link")
	b.press(t, customer, "ui.verify_link.yes")
	b.run(t, customer, "confirmed", chromedp.WaitVisible(chromedp.CSS(`[data-testid=link-done]`)))
	b.follow(t, agent, "ui.console.case.verify.refresh")
	b.run(t, agent, "strong", chromedp.WaitVisible(chromedp.CSS(`[data-strength=strong]`)))

	// The agent asks for a password-setting code: it waits for approval.
	b.expand(t, agent, "ui.console.password_code.summary")
	b.screenshot(t, agent, "agent-password-code-form")
	b.press(t, agent, "ui.console.password_code.submit")
	b.waitURLContains(t, agent, "notice=password_requested")
	kase := strings.SplitN(b.path(t, agent), "?", 2)[0]

	// A supervisor approves it from the queue.
	b.staffLogin(t, supervisor, "supervisor")
	b.follow(t, supervisor, "ui.console.nav.requests")
	b.waitPath(t, supervisor, "/console/requests")
	b.screenshot(t, supervisor, "supervisor-queue")
	b.press(t, supervisor, "ui.console.requests.approve")
	b.waitURLContains(t, supervisor, "notice=approved")

	// The agent shows the code, once.
	b.run(t, agent, "case", chromedp.Navigate(b.base+kase))
	b.press(t, agent, "ui.console.actions.issue_password_code")
	b.run(t, agent, "code shown", chromedp.WaitVisible(chromedp.CSS(`[data-testid=password-code]`)))
	b.screenshot(t, agent, "agent-password-code")
	code := strings.TrimSpace(b.text(t, agent, "password-code"))

	// The customer sets the new password with it, then logs in.
	b.run(t, customer, "login page", chromedp.Navigate(b.base+"/login"))
	b.follow(t, customer, "ui.login.set_password_link")
	b.waitPath(t, customer, "/login/set-password")
	b.fill(t, customer, "login_id", "demo-app", "code", code,
		"new_password", forgotNewPassword, "new_password_confirm", forgotNewPassword)
	b.screenshot(t, customer, "customer-set-password")
	b.press(t, customer, "ui.forgot.password.submit")
	b.waitPath(t, customer, "/login?notice=reset")
	b.refusedLogin(t, customer, "demo-app", demoPassword)
	b.totpLogin(t, customer, "demo-app", forgotNewPassword, demoTOTPSecret)
	b.screenshot(t, customer, "customer-home")
}

// Once only a passkey passes login, a customer whose factors were reset
// is refused with the way back named; at a partner shop the staff member
// checks an identity document and issues a link; the customer's phone
// reads it from the QR code on the staff screen, registers a passkey and
// is logged in; later the password and the passkey log in as usual.
func TestBrowserRecoveryPasskeyOnlyAtPartnerShop(t *testing.T) {
	b := newRecoveryBrowser(t, func(cfg *Config) {
		cfg.MFA.PhishingResistantFrom = testStart.Add(-48 * time.Hour)
		cfg.MFA.InterimMethodsUntil = testStart.Add(-24 * time.Hour)
	})
	sup, kase := strongCase(t, b.testApp, "supervisor", "demo-sms")
	if p := sup.post(kase+"/reset", url.Values{}); p.location != kase+"?notice=reset_done" {
		t.Fatalf("reset: %d %q", p.status, p.location)
	}
	staff := newJapaneseBrowser(t)
	customer := newTab(t, staff)
	b.run(t, customer, "virtual authenticator", virtualAuthenticator())

	// Login is refused, and the page names the shop.
	b.passwordLogin(t, customer, "demo-sms", demoPassword)
	b.run(t, customer, "refused", chromedp.WaitVisible(chromedp.CSS(`[data-testid=blocked-shop]`)))
	b.screenshot(t, customer, "customer-refused")

	// At the shop: find the customer, open a case, record the document.
	b.staffLogin(t, staff, "partner")
	b.follow(t, staff, "ui.console.nav.partner_find")
	b.waitPath(t, staff, "/console/partner/find")
	b.fill(t, staff, "account_number", "1000002", "birth_date", demoBirthDates["demo-sms"])
	b.press(t, staff, "ui.console.partner.submit")
	b.run(t, staff, "found", chromedp.WaitVisible(chromedp.CSS(`[data-testid=partner-found]`)))
	b.fill(t, staff, "reason", "パスキーの登録")
	b.press(t, staff, "ui.console.open_case.submit")
	b.waitPath(t, staff, "/console/cases/")
	b.fill(t, staff, "document_type", "license")
	b.act(t, staff, "document checked", chromedp.Click(chromedp.CSS(`[data-testid=document-checked]`)))
	b.press(t, staff, "ui.console.case.verify.record")
	b.waitURLContains(t, staff, "notice=document_passed")

	// The link, shown as text and as a QR code.
	b.press(t, staff, "ui.console.passkey_link.submit")
	b.run(t, staff, "link shown", chromedp.WaitVisible(chromedp.CSS(`[data-testid=passkey-link-qr]`)))
	b.screenshot(t, staff, "staff-passkey-link")
	link := b.readQR(t, staff, `img[data-testid=passkey-link-qr]`)
	if shown := strings.TrimSpace(b.text(t, staff, "passkey-link")); shown != link {
		t.Fatalf("link shown %q, QR code %q", shown, link)
	}
	if !strings.HasPrefix(link, b.base+"/passkey/setup/") {
		t.Fatalf("QR code holds %q", link)
	}

	// The customer's phone opens it, registers a passkey, is logged in.
	b.run(t, customer, "open link", chromedp.Navigate(link))
	b.screenshot(t, customer, "customer-passkey-link")
	b.press(t, customer, "ui.passkey_link.submit")
	b.waitMyPage(t, customer)
	b.screenshot(t, customer, "customer-home-by-link")
	b.press(t, customer, "ui.layout.logout")
	b.waitPath(t, customer, "/login")

	// And later logs in as usual: password, then the passkey.
	b.passwordLogin(t, customer, "demo-sms", demoPassword)
	b.waitPath(t, customer, "/login/verify")
	b.screenshot(t, customer, "customer-passkey-check")
	b.press(t, customer, "ui.passkey.check.submit")
	b.waitMyPage(t, customer)
	b.screenshot(t, customer, "customer-home-by-passkey")
}
