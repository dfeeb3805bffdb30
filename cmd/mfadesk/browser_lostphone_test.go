package main

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Most steps allowed for a lost phone with the default four-eyes: the
// agent from the search page to the pass shown, the supervisor from any
// console page to the approval.
const (
	maxAgentSteps      = 5
	maxSupervisorSteps = 2
)

// stepCounter counts a tab's page loads and form submits: its main
// frame's navigations (a POST answered by a redirect is one). The case
// page's own polls are fetches, not navigations, so they never count.
type stepCounter struct {
	on    atomic.Bool
	steps atomic.Int64
}

func countSteps(t *testing.T, ctx context.Context) *stepCounter {
	t.Helper()
	sc := &stepCounter{}
	err := chromedp.Listen(ctx, func(ev any) {
		if nav, ok := ev.(*cdppage.EventFrameNavigated); ok && nav.Frame.ParentID == "" && sc.on.Load() {
			sc.steps.Add(1)
		}
	})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return sc
}

// tab opens a tab in a browser context of its own (its own cookies), as
// a second person's browser would be.
func tab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return ctx
}

// A lost phone end to end in three browsers: the agent opens the case from
// the search result, sends the possession link, and asks for the reset on
// the same page once the customer confirmed (the page updates by itself);
// the supervisor opens the queue from the header count and approves; the
// agent's case shows the pass button by itself; the customer logs in with
// the pass and enrols a new app. The agent's and the supervisor's page
// loads and submits are counted.
func TestBrowserLostPhoneSteps(t *testing.T) {
	b := newBrowserApp(t)
	if _, err := seedDemoStaff(context.Background(), b.App); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	agent, supervisor, customer := tab(t, browser), tab(t, browser), tab(t, browser)
	agentSteps, supervisorSteps := countSteps(t, agent), countSteps(t, supervisor)

	b.staffLogin(t, agent, "agent")
	b.run(t, agent, "search page", chromedp.Navigate(b.base+"/console/customers"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-form]`)))
	agentSteps.on.Store(true)

	// 1: search; 2: the lost-phone case from the result.
	b.run(t, agent, "search", chromedp.SetValue(chromedp.CSS(`#q`), "demo-app"),
		chromedp.Click(chromedp.CSS(`[data-testid=search-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=lost-phone-form] button`)))
	b.run(t, agent, "lost phone case", chromedp.Click(chromedp.CSS(`[data-testid=lost-phone-form] button`)))
	b.waitPath(t, agent, "/console/cases/")
	kase, err := b.DB.CaseByID(context.Background(), caseID(t, strings.SplitN(b.path(t, agent), "?", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	b.run(t, agent, "reset waits", chromedp.WaitVisible(chromedp.CSS(`[data-testid=reset-form-waiting]`)))
	b.screenshot(t, agent, "agent-case-opened")

	// 3: the possession link by email; the customer confirms it on their
	// own device, and the agent's page enables the reset by itself.
	b.run(t, agent, "send link", chromedp.Click(chromedp.CSS(`[data-testid=send-email] button`)))
	b.waitURLContains(t, agent, "notice=link_sent")
	b.run(t, customer, "customer confirms", chromedp.Navigate(b.base+b.lastLink("demo-app@example.jp")),
		chromedp.Click(chromedp.CSS(`[data-testid=link-form] button[value=yes]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=link-done]`)))
	b.run(t, agent, "reset enabled", chromedp.WaitVisible(chromedp.CSS(`[data-testid=reset-form] button[type=submit]:not([disabled])`)))
	// The 「確認用リンクを送りました」 notice went with the page's move, also from the address.
	if stale := value(t, b, agent, "old notice", chromedp.Evaluate[string](
		`(document.getElementById("case-notices") ? document.getElementById("case-notices").textContent : "") + location.search`)); stale != "" {
		t.Errorf("after the page moved on by itself it still shows %q", stale)
	}
	b.screenshot(t, agent, "agent-verified")

	// 4: the reset with a temporary pass, which waits for approval.
	b.run(t, agent, "request reset", chromedp.Click(chromedp.CSS(`[data-testid=reset-form] button[type=submit]`)))
	b.waitURLContains(t, agent, "notice=reset_requested")

	// The supervisor, on the console's start page: 1, the queue from the
	// header's count; 2, approve.
	b.staffLogin(t, supervisor, "supervisor")
	supervisorSteps.on.Store(true)
	count := value(t, b, supervisor, "pending count", chromedp.Text(chromedp.CSS(`[data-testid=pending-count]`)))
	if !strings.Contains(count, "1") {
		t.Errorf("header count %q, want 1 waiting", count)
	}
	b.run(t, supervisor, "queue", chromedp.Click(chromedp.CSS(`[data-testid=pending-count]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=request] [data-testid=check]`)))
	b.screenshot(t, supervisor, "supervisor-card")
	reason := value(t, b, supervisor, "case reason", chromedp.Text(chromedp.CSS(`[data-testid=request-case-reason]`)))
	if reason != kase.Reason || reason == "" {
		t.Errorf("card reason %q, want the case's %q", reason, kase.Reason)
	}
	b.run(t, supervisor, "approve", chromedp.Click(chromedp.CSS(`[data-testid=approve-form] button`)))
	b.waitURLContains(t, supervisor, "notice=approved")

	// 5: the agent's page offered the pass by itself; shown once.
	b.run(t, agent, "pass offered", chromedp.WaitVisible(chromedp.CSS(`[data-testid=issue-pass-form] button`)))
	b.run(t, agent, "show pass", chromedp.Click(chromedp.CSS(`[data-testid=issue-pass-form] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=temp-pass]`)))
	b.screenshot(t, agent, "agent-temp-pass")
	pass := strings.TrimSpace(value(t, b, agent, "pass", chromedp.Text(chromedp.CSS(`[data-testid=temp-pass]`))))

	a, s := agentSteps.steps.Load(), supervisorSteps.steps.Load()
	t.Logf("steps: agent %d (at most %d), supervisor %d (at most %d)", a, maxAgentSteps, s, maxSupervisorSteps)
	if a > maxAgentSteps {
		t.Errorf("agent took %d page loads and submits, want at most %d", a, maxAgentSteps)
	}
	if s > maxSupervisorSteps {
		t.Errorf("supervisor took %d page loads and submits, want at most %d", s, maxSupervisorSteps)
	}

	// The customer holds a working way in: the pass logs them in, and
	// they enrol a new app.
	b.run(t, customer, "temp pass login", chromedp.Navigate(b.base+"/login/temp-pass"),
		chromedp.SetValue(chromedp.CSS(`#login_id`), "demo-app"),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.SetValue(chromedp.CSS(`#temp_pass`), pass),
		chromedp.Click(chromedp.CSS(`[data-testid=temp-pass-form] button[type=submit]`)))
	b.waitPath(t, customer, "/settings/mfa")
	b.run(t, customer, "start enrolment", chromedp.Click(chromedp.CSS(`[data-testid=totp-start]`)))
	b.waitPath(t, customer, "/settings/mfa/totp")
	var u *url.URL
	u, err = url.Parse(b.readQR(t, customer, `img[data-testid=totp-qr]`))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totpCodeForTest(u.Query().Get("secret"), b.clock.Now())
	b.run(t, customer, "confirm enrolment",
		chromedp.SetValue(chromedp.CSS(`#code`), code),
		chromedp.SetValue(chromedp.CSS(`#trading_password`), demoTradingPassword),
		chromedp.Click(chromedp.CSS(`form[data-testid=totp-confirm-form] button[type=submit]`)))
	b.waitPath(t, customer, "/settings/mfa?notice=totp-added")
	b.screenshot(t, customer, "customer-enrolled")
}
