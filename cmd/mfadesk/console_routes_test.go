package main

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mfadesk/rbac"
)

// consoleAccess is who may reach each console route, written out here
// as the specification. A route the router has and this table lacks fails
// the test, so a new route cannot ship without deciding who may use it,
// and the policy must agree line by line.
var consoleAccess = map[string][]string{
	"GET /console/login":                          {"anonymous", "pending", "passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/login":                         {"anonymous", "pending", "passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"GET /console/login/totp":                     {"pending"},
	"POST /console/login/totp":                    {"pending"},
	"POST /console/login/passkey/options":         {"anonymous", "pending", "passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/login/passkey":                 {"anonymous", "pending", "passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/login/verify/passkey/options":  {"pending"},
	"POST /console/login/verify/passkey":          {"pending"},
	"POST /console/logout":                        {"pending", "passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"GET /console/account/passkeys":               {"passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/account/passkeys/options":      {"passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/account/passkeys":              {"passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/account/passkeys/:id/remove":   {"admin", "supervisor", "agent", "partner", "auditor"},
	"GET /console/account/password":               {"passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"POST /console/account/password":              {"passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"},
	"GET /console":                                {"admin", "supervisor", "agent", "partner", "auditor"},
	"GET /console/customers":                      {"admin", "supervisor", "agent"},
	"POST /console/cases":                         {"admin", "supervisor", "agent"},
	"GET /console/partner/find":                   {"partner"},
	"POST /console/partner/find":                  {"partner"},
	"POST /console/partner/cases":                 {"partner"},
	"GET /console/cases":                          {"admin", "supervisor", "agent", "partner"},
	"GET /console/cases/:id":                      {"admin", "supervisor", "agent", "partner"},
	"GET /console/cases/:id/live":                 {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/notes":               {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/close":               {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/verify/knowledge":    {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/verify/possession":   {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/verify/spoken":       {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/verify/spoken/check": {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/verify/document":     {"admin", "supervisor", "agent", "partner"},
	"GET /console/cases/:id/address":              {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/address":             {"admin", "supervisor", "agent", "partner"},
	"GET /console/letters":                        {"admin", "supervisor"},
	"GET /console/letters/export":                 {"admin", "supervisor"},
	"GET /console/letters/:id/pdf":                {"admin", "supervisor"},
	"POST /console/letters/printed":               {"admin", "supervisor"},
	"POST /console/letters/:id/printed":           {"admin", "supervisor"},
	"POST /console/letters/:id/returned":          {"admin", "supervisor"},
	"POST /console/cases/:id/verify/postal":       {"admin", "supervisor", "agent", "partner"},
	"GET /console/cases/:id/contact":              {"admin", "supervisor", "agent"},
	"GET /console/cases/:id/assist":               {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/reset":               {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/temp-pass":           {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/contact/send":        {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/contact/confirm":     {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/unlock":              {"admin", "supervisor"},
	"POST /console/cases/:id/password":            {"admin", "supervisor", "agent", "partner"},
	"POST /console/cases/:id/passkey-link":        {"admin", "supervisor", "agent", "partner"},
	"GET /console/requests":                       {"admin", "supervisor"},
	"POST /console/requests/:id/approve":          {"admin", "supervisor"},
	"POST /console/requests/:id/reject":           {"admin", "supervisor"},
	"GET /console/audit":                          {"admin", "supervisor", "auditor"},
	"GET /console/audit.csv":                      {"admin", "supervisor", "auditor"},
	"GET /console/reports":                        {"admin", "supervisor", "auditor"},
	"GET /console/reports/adoption":               {"admin", "supervisor", "auditor"},
	"GET /console/reports/actions":                {"admin", "supervisor", "auditor"},
	"GET /console/reports/lockouts":               {"admin", "supervisor", "auditor"},
	"GET /console/reports/lockouts.csv":           {"admin", "supervisor", "auditor"},
	"GET /console/reports/outreach":               {"admin", "supervisor"},
	"POST /console/reports/outreach":              {"admin", "supervisor"},
	"GET /console/reports/outreach/letters.csv":   {"admin", "supervisor"},
	"GET /console/staff":                          {"admin"},
	"POST /console/staff":                         {"admin"},
	"POST /console/staff/:id/role":                {"admin"},
	"POST /console/staff/:id/deactivate":          {"admin"},
	"POST /console/staff/:id/totp/reset":          {"admin"},
	"POST /console/staff/:id/customer":            {"admin"},
	"POST /console/staff/:id/confirm":             {"admin"},
	"POST /console/staff/:id/cancel":              {"admin"},
	"POST /console/staff/settings":                {"admin"},
	"POST /console/staff/:id/password/reset":      {"admin"},
	"POST /console/organisations":                 {"admin"},
	"POST /console/organisations/:id/name":        {"admin"},
	"GET /console/oidc-clients":                   {"admin"},
	"POST /console/oidc-clients":                  {"admin"},
	"GET /console/oidc-clients/:id":               {"admin"},
	"POST /console/oidc-clients/:id":              {"admin"},
	"POST /console/oidc-clients/:id/secret":       {"admin"},
	"POST /console/oidc-clients/:id/disable":      {"admin"},
}

// subjects are every kind of visitor the console meets; "customer" is a
// logged-in customer of the customer site (docs/security.md S28: 403 everywhere);
// "passkey_setup" passed password and TOTP while passkeys are required and
// has none.
var subjects = []string{"anonymous", "customer", "pending", "passkey_setup", "admin", "supervisor", "agent", "partner", "auditor"}

func subjectOrg(sub string) string {
	return map[string]string{"admin": "support", "supervisor": "support", "agent": "support",
		"partner": "shop-demo", "auditor": "compliance", "pending": "support", "passkey_setup": "support"}[sub]
}

// consoleRoutes lists "METHOD PATH" of every console route on the router,
// logout last (it ends the session the walk uses).
func consoleRoutes(a *testApp) []string {
	var out []string
	for _, r := range a.ConsoleEcho.Routes() {
		if r.Path == "/console" || strings.HasPrefix(r.Path, "/console/") {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return !strings.HasSuffix(out[i], "/logout") && (strings.HasSuffix(out[j], "/logout") || out[i] < out[j])
	})
	return out
}

func TestEveryConsoleRouteHasAPolicyAndItHolds(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	enforcer, err := rbac.New()
	if err != nil {
		t.Fatal(err)
	}
	routes := consoleRoutes(a)
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r] = true
		if _, ok := consoleAccess[r]; !ok {
			t.Errorf("route %s has no entry in consoleAccess: decide who may use it, and add a policy line", r)
		}
	}
	for r := range consoleAccess {
		if !seen[r] {
			t.Errorf("consoleAccess lists %s, which the router does not have", r)
		}
	}
	caseID := strconv.FormatInt(a.agentCase(), 10)
	for _, sub := range subjects {
		t.Run(sub, func(t *testing.T) {
			c := a.subjectClient(sub)
			for _, r := range routes {
				method, pattern, _ := strings.Cut(r, " ")
				want := slices.Contains(consoleAccess[r], sub)
				if got := enforcer.Allow(sub, subjectOrg(sub), pattern, method); got != want {
					t.Errorf("policy: %s %s = %v, want %v", sub, r, got, want)
				}
				path := strings.Replace(pattern, ":id", caseID, 1)
				if strings.HasPrefix(pattern, "/console/staff/:id") || strings.HasPrefix(pattern, "/console/account/passkeys/:id") {
					path = strings.Replace(pattern, ":id", "999999", 1) // allowed, but changes nobody
				}
				var p *page
				if method == http.MethodGet {
					p = c.get(path)
				} else {
					p = c.post(path, url.Values{})
				}
				if denied := wasDenied(p, sub, method); denied == want {
					t.Errorf("%s %s: status %d location %q, want allowed=%v", sub, r, p.status, p.location, want)
				}
			}
		})
	}
}

// wasDenied tells the policy's refusal from a handler's answer: someone
// not logged in is sent to log in, everyone else gets the 403 page.
func wasDenied(p *page, sub, method string) bool {
	if method == http.MethodGet && sub == "anonymous" {
		return p.status == http.StatusSeeOther && p.location == "/console/login"
	}
	if method == http.MethodGet && sub == "pending" {
		return p.status == http.StatusSeeOther && p.location == "/console/login/totp"
	}
	if method == http.MethodGet && sub == "passkey_setup" {
		return p.status == http.StatusSeeOther && p.location == "/console/account/passkeys?notice=required"
	}
	return p.status == http.StatusForbidden && strings.Contains(p.text("error-message"), "権限がありません")
}

// subjectClient is a browser logged in as sub.
func (a *testApp) subjectClient(sub string) *client {
	a.t.Helper()
	switch sub {
	case "anonymous":
		c := a.newClient()
		c.get("/console/login")
		return c
	case "customer":
		a.clock.Advance(30 * time.Second)
		c := a.newClient()
		c.login("demo-app", demoPassword)
		c.get("/login/verify")
		if p := c.submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
			a.t.Fatalf("customer login: %d %q", p.status, p.location)
		}
		c.get("/home")
		return c
	case "pending":
		c := a.newClient()
		c.get("/console/login")
		c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}})
		c.get("/console/login/totp")
		return c
	case "passkey_setup":
		return a.passkeySetupClient("agent")
	}
	return a.staffLogin(sub)
}

// agentCase opens a case as the demo agent and returns its id.
func (a *testApp) agentCase() int64 {
	a.t.Helper()
	c := a.staffLogin("agent")
	path := c.openCase(a.customerID("demo-sms"), "phone")
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/console/cases/"), 10, 64)
	if err != nil {
		a.t.Fatal(err)
	}
	return id
}
