package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/data"
)

// newConsoleApp is the test app with the demo staff seeded too.
func newConsoleApp(t *testing.T, configure ...func(*Config)) *testApp {
	t.Helper()
	a := newTestApp(t, configure...)
	if _, err := seedDemoStaff(context.Background(), a.App); err != nil {
		t.Fatalf("seed staff: %v", err)
	}
	return a
}

// staffLogin logs a demo staff member into the console with password and
// TOTP. The clock moves to a new TOTP step first, so the replay guard
// never refuses a second login.
func (a *testApp) staffLogin(login string) *client {
	a.t.Helper()
	a.clock.Advance(30 * time.Second)
	c := a.newClient()
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {login}, "password": {demoStaffPassword}}); p.location != "/console/login/totp" {
		a.t.Fatalf("%s password step: %d %q", login, p.status, p.location)
	}
	c.get("/console/login/totp")
	if p := c.post("/console/login/totp", url.Values{"code": {a.totpNow(demoTOTPSecret)}}); p.location != "/console" {
		a.t.Fatalf("%s totp step: %d %q %s", login, p.status, p.location, p.text("notice-error"))
	}
	c.get("/console") // a page with the new session's CSRF token
	return c
}

// customerID finds a demo customer's id by login ID.
func (a *testApp) customerID(loginID string) int64 {
	a.t.Helper()
	c, err := a.DB.CustomerByLoginID(context.Background(), loginID)
	if err != nil {
		a.t.Fatal(err)
	}
	return c.ID
}

// openCase opens a case for a customer as the (agent-like) client and
// returns the case page's path.
func (c *client) openCase(customerID int64, channel string) string {
	c.t.Helper()
	c.get("/console/customers")
	p := c.post("/console/cases", url.Values{"customer_id": {strconv.FormatInt(customerID, 10)},
		"channel": {channel}, "reason": {"認証アプリの再設定"}})
	if p.status != http.StatusSeeOther {
		c.t.Fatalf("open case: %d %s", p.status, p.text("error-message"))
	}
	c.get(p.location)
	return p.location
}

// auditActions lists the actions of the newest audit events, newest first.
func (a *testApp) auditActions(limit int) []string {
	a.t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Limit: limit})
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Action)
	}
	return out
}

// auditDetails lists the details of every event with the action.
func (a *testApp) auditDetails(action string) []string {
	a.t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Detail)
	}
	return out
}

// all finds every element with that data-testid.
func (p *page) all(id string) []*html.Node {
	var out []*html.Node
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "data-testid") == id {
			out = append(out, n)
		}
	})
	return out
}

func dataFilter(action string) data.AuditFilter { return data.AuditFilter{Action: action, Limit: 1000} }
