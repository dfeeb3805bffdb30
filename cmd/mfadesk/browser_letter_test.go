package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLetterEndToEnd with the customer's part in Chromium: the mail
// room's queue shows the letter, the customer types the printed code on
// /verify/post, then logs in with the temporary pass support issued.
func TestBrowserLetterCodeAndTempPass(t *testing.T) {
	b := newBrowserApp(t)
	if _, err := seedDemoStaff(context.Background(), b.App); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)

	agent := b.testApp.staffLogin("agent")
	kase := agent.openCase(b.customerID("demo-noemail"), "phone")
	if p := agent.post(kase+"/verify/postal", nil); p.location != kase+"?notice=postal_sent" {
		t.Fatalf("send letter: %q", p.location)
	}
	id := strconv.FormatInt(b.newestLetter("demo-noemail").ID, 10)

	b.staffLogin(t, ctx, "supervisor")
	b.run(t, ctx, "print queue", chromedp.Navigate(b.base+"/console/letters"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=letter][data-status=queued]`)))
	b.screenshot(t, ctx, "print-queue")
	b.staffLogout(t, ctx)

	mailroom := b.testApp.staffLogin("supervisor")
	mailroom.get("/console/letters")
	p := mailroom.get("/console/letters/" + id + "/pdf")
	if p.status != http.StatusOK {
		t.Fatalf("download: %d", p.status)
	}
	m := letterCodeLine.FindStringSubmatch(pdfText(t, []byte(p.body)))
	if m == nil {
		t.Fatal("no code in the letter")
	}
	mailroom.get("/console/letters")
	mailroom.post("/console/letters/"+id+"/printed", nil)

	b.run(t, ctx, "type the letter's code", chromedp.Navigate(b.base+"/verify/post"),
		chromedp.SetValue(chromedp.CSS(`#login_id`), "demo-noemail"),
		chromedp.SetValue(chromedp.CSS(`#code`), m[1]),
		chromedp.Click(chromedp.CSS(`[data-testid=post-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=post-done]`)))
	b.screenshot(t, ctx, "customer-code-typed")

	agent.get(kase)
	if p := agent.post(kase+"/reset", url.Values{"temp_pass": {"on"}}); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("reset request: %d %q", p.status, p.location)
	}
	sup := b.testApp.staffLogin("supervisor")
	request := onlyRequest(t, sup)
	sup.decide(request, "approve", nil)
	agent.get(kase)
	pass := agent.post(kase+"/temp-pass", url.Values{"request_id": {request}}).text("temp-pass")
	if !tempPassFormat.MatchString(pass) {
		t.Fatalf("temp pass: %q", pass)
	}

	b.run(t, ctx, "temp pass login", chromedp.Navigate(b.base+"/login/temp-pass"),
		chromedp.SetValue(chromedp.CSS(`#login_id`), "demo-noemail"),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.SetValue(chromedp.CSS(`#temp_pass`), strings.TrimSpace(pass)),
		chromedp.Click(chromedp.CSS(`[data-testid=temp-pass-form] button[type=submit]`)))
	b.waitPath(t, ctx, "/settings/mfa")
	b.screenshot(t, ctx, "customer-after-pass")
}
