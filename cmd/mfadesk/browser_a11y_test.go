package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource returns axe-core, installed from the npm registry by .ci/run
// (npm install --prefix .ci/tools axe-core). Without it the check skips,
// except in CI.
func axeSource(t *testing.T) string {
	t.Helper()
	paths := []string{os.Getenv("AXE_CORE_JS"), filepath.Join("..", "..", ".ci", "tools", "node_modules", "axe-core", "axe.min.js")}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("axe-core not found; .ci/run installs it with npm")
	}
	t.Skip("axe-core not installed (npm install --prefix .ci/tools axe-core); accessibility check skipped")
	return ""
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (WCAG 2.x A and AA rules) on the
// current page and fails on any serious or critical violation.
func (b *browserApp) checkAccessibility(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	b.run(t, ctx, "inject axe", bypassCSP(), chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](axe+";0")(c, tg)
		return err
	}))
	raw := value(t, b, ctx, "axe run "+name, chromedp.Evaluate[string](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("axe result on %s: %v", name, err)
	}
	for _, v := range violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			targets := []string{}
			for _, n := range v.Nodes {
				b, _ := json.Marshal(n.Target)
				targets = append(targets, string(b))
			}
			t.Errorf("%s: %s (%s): %s at %s", name, v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
		}
	}
}

// noHorizontalScroll checks the page fits a 360 px wide phone.
func (b *browserApp) noHorizontalScroll(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	wide := value(t, b, ctx, "width "+name, chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`))
	if wide {
		b.screenshot(t, ctx, "too-wide-"+name)
		t.Errorf("%s scrolls sideways on a 360 px screen", name)
	}
}

// The main customer pages have no serious accessibility violations and
// fit a 360 px wide phone, also at 200% zoom (720 px CSS at scale 2 is the
// same layout width as 360 px, so the 360 px check covers it).
func TestBrowserAccessibility(t *testing.T) {
	b := newBrowserApp(t)
	axe := axeSource(t)
	ctx := newBrowser(t)
	b.run(t, ctx, "phone viewport", chromedp.EmulateViewport(360, 740))

	check := func(name string) {
		t.Helper()
		b.checkAccessibility(t, ctx, axe, name)
		b.noHorizontalScroll(t, ctx, name)
		b.screenshot(t, ctx, "a11y-"+name)
	}
	b.run(t, ctx, "login page", chromedp.Navigate(b.base+"/login"))
	check("login")
	b.run(t, ctx, "error page", chromedp.Navigate(b.base+"/no-such-page"))
	check("not-found")

	b.loginWithPassword(t, ctx, "demo-email")
	b.waitPath(t, ctx, "/login/verify")
	check("verify-email")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", "12")
	b.run(t, ctx, "error shown", chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice-error]`)))
	check("verify-error")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/home")
	check("home")
	for _, path := range []string{"/settings/mfa", "/settings/passkeys", "/account", "/withdrawal", "/settings/password", "/settings/activity"} {
		b.run(t, ctx, path, chromedp.Navigate(b.base+path))
		check(strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"))
	}
	b.run(t, ctx, "step-up", chromedp.Navigate(b.base+"/stepup?op=mfa"), chromedp.Click(chromedp.CSS(`[data-testid=resend]`)))
	b.waitURLContains(t, ctx, "notice=sent")
	check("stepup")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/settings/mfa")
	check("settings-mfa-unlocked")
	b.run(t, ctx, "enrol", chromedp.Click(chromedp.CSS(`[data-testid=totp-start]`)))
	b.waitPath(t, ctx, "/settings/mfa/totp")
	check("totp-enrolment")
	b.run(t, ctx, "console login", chromedp.Navigate(b.base+"/console/login"))
	check("console-login")

	// The check itself must be able to fail: an unlabelled input is caught.
	b.run(t, ctx, "unlabelled input", chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend", "<input id=unlabelled>")`))
	raw := value(t, b, ctx, "axe probe", chromedp.Evaluate[string](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a"]}}).then(r => JSON.stringify(r.violations.map(v => v.id)))`,
		chromedp.EvalAwaitPromise))
	if !strings.Contains(raw, "label") {
		t.Fatalf("axe did not report an unlabelled input: %s", raw)
	}
}

// The console's main pages: no serious accessibility violations either,
// in the agent's, the supervisor's and the auditor's views.
func TestBrowserConsoleAccessibility(t *testing.T) {
	b := newBrowserApp(t)
	if _, err := seedDemoStaff(context.Background(), b.App); err != nil {
		t.Fatal(err)
	}
	axe := axeSource(t)
	ctx := newBrowser(t)
	check := func(name string) {
		t.Helper()
		b.checkAccessibility(t, ctx, axe, name)
		b.screenshot(t, ctx, "a11y-console-"+name)
	}
	b.run(t, ctx, "console login", chromedp.Navigate(b.base+"/console/login"))
	check("login")

	b.staffLogin(t, ctx, "agent")
	check("home")
	b.run(t, ctx, "search", chromedp.Navigate(b.base+"/console/customers?q=demo-sms"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-result]`)))
	check("search")
	b.run(t, ctx, "open case",
		chromedp.SetValue(chromedp.CSS(`[data-testid=open-case-form] #reason`), "認証アプリの再設定"),
		chromedp.Click(chromedp.CSS(`[data-testid=open-case-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/console/cases/")
	value(t, b, ctx, "open panels", chromedp.Evaluate[int](`document.querySelectorAll("details").forEach(d => d.open = true); 0`))
	check("case")
	b.run(t, ctx, "own passkeys", chromedp.Navigate(b.base+"/console/account/passkeys"))
	check("account-passkeys")
	b.staffLogout(t, ctx)

	b.staffLogin(t, ctx, "supervisor")
	for _, path := range []string{"/console/requests", "/console/reports", "/console/reports/adoption", "/console/reports/actions", "/console/reports/lockouts"} {
		b.run(t, ctx, path, chromedp.Navigate(b.base+path))
		check(strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"))
	}
	b.staffLogout(t, ctx)

	b.staffLogin(t, ctx, "auditor")
	b.run(t, ctx, "audit", chromedp.Navigate(b.base+"/console/audit"))
	check("audit")
}
