package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// firstStaffLogin logs a new staff member in with the initial password,
// enrolling their authenticator and choosing their own password, and
// returns the session's client.
func firstStaffLogin(t *testing.T, a *testApp, login, password string) *client {
	t.Helper()
	c, _ := enrolStaff(t, a, login, password)
	if p := changeOwnPassword(c, password, ownStaffPassword); p.location != "/console" {
		t.Fatalf("%s password change: %d %q", login, p.status, p.location)
	}
	c.get("/console")
	return c
}

// enrolStaff logs a new staff member in with the initial password and
// enrols their authenticator; it returns the session's client and the
// authenticator's secret.
func enrolStaff(t *testing.T, a *testApp, login, password string) (*client, string) {
	t.Helper()
	c := passwordStepWith(t, a, login, password)
	secret := c.get("/console/login/totp").text("totp-secret")
	code, err := totpCodeForTest(secret, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p := c.post("/console/login/totp", url.Values{"code": {code}}); p.location != "/console" {
		t.Fatalf("%s enrol: %d %q", login, p.status, p.text("notice-error"))
	}
	return c, secret
}

// passwordRefused reports whether the console refuses login's password
// step as it refuses a wrong password.
func passwordRefused(a *testApp, login, password string) bool {
	c := a.newClient()
	c.get("/console/login")
	p := c.post("/console/login", url.Values{"login_id": {login}, "password": {password}})
	return p.status == http.StatusUnauthorized && p.location == ""
}

// An admin who creates a supervisor only asks: the account cannot log in
// (so cannot approve) until a second admin confirms; the admin who asked
// cannot confirm it. Each step is audited.
func TestSecondAdminConfirmsNewSupervisor(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addStaff("admin2", "admin", "support")
	adminA := a.staffLogin("admin")
	adminA.get("/console/staff")
	p := adminA.post("/console/staff", url.Values{"login_id": {"sup2"}, "name": {"主任 二郎"}, "role": {"supervisor"}, "org": {"support"}})
	password := p.text("initial-password")
	if p.status != http.StatusOK || len(password) != 16 || !p.has("staff-created-pending") {
		t.Fatalf("create supervisor: %d %q", p.status, password)
	}
	if outcomes := a.auditEventsOf("staff.create"); len(outcomes) != 1 || outcomes[0] != "requested" {
		t.Errorf("creation audited as %v", outcomes)
	}
	if !passwordRefused(a, "sup2", password) {
		t.Fatal("an unconfirmed supervisor logs in")
	}

	adminA.get("/console/staff")
	if p := adminA.post("/console/staff/"+a.staffID("sup2")+"/confirm", nil); p.location != "/console/staff?notice=own_request" {
		t.Errorf("admin confirmed own request: %q", p.location)
	}
	if outcomes := a.auditEventsOf("staff.confirm"); len(outcomes) != 1 || outcomes[0] != "refused:own_request" {
		t.Errorf("refusal audited as %v", outcomes)
	}
	if !passwordRefused(a, "sup2", password) {
		t.Fatal("a supervisor confirmed by their creator logs in")
	}

	adminB := a.staffLogin("admin2")
	p = adminB.get("/console/staff")
	if !strings.Contains(p.text("staff-pending"), "admin") {
		t.Errorf("the page does not say who asked: %q", p.text("staff-pending"))
	}
	if d := duplicateIDs(p); len(d) > 0 {
		t.Errorf("the staff page repeats ids: %v", d)
	}
	if p := adminB.post("/console/staff/"+a.staffID("sup2")+"/confirm", nil); p.location != "/console/staff?notice=confirmed" {
		t.Fatalf("second admin's confirmation: %q", p.location)
	}
	if outcomes := a.auditEventsOf("staff.confirm"); len(outcomes) != 2 || outcomes[0] != "success" {
		t.Errorf("confirmation audited as %v", outcomes)
	}
	if d := a.auditDetails("staff.confirm")[0]; !strings.Contains(d, "kind=create role=supervisor") ||
		!strings.Contains(d, "requested_by="+a.staffID("admin")) {
		t.Errorf("confirmation detail: %q", d)
	}

	_, _, id := agentResetRequest(t, a, nil)
	sup2 := firstStaffLogin(t, a, "sup2", password)
	if p := sup2.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Errorf("confirmed supervisor cannot approve: %d %q", p.status, p.location)
	}
}

// A promotion to supervisor waits for a second admin: until then the role
// is unchanged; a demotion takes effect at once.
func TestSecondAdminConfirmsPromotion(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addStaff("admin2", "admin", "support")
	agent := a.staffLogin("agent")
	adminA := a.staffLogin("admin")
	adminA.get("/console/staff")
	id := a.staffID("agent")
	if p := adminA.post("/console/staff/"+id+"/role", url.Values{"role": {"supervisor"}, "org": {"support"}}); p.location != "/console/staff?notice=role_requested" {
		t.Fatalf("promotion: %q", p.location)
	}
	if p := agent.get("/console/requests"); p.status != http.StatusForbidden {
		t.Errorf("promotion in effect before confirmation: %d", p.status)
	}
	adminA.get("/console/staff")
	if p := adminA.post("/console/staff/"+id+"/confirm", nil); p.location != "/console/staff?notice=own_request" {
		t.Errorf("admin confirmed own promotion request: %q", p.location)
	}
	if p := agent.get("/console/requests"); p.status != http.StatusForbidden {
		t.Errorf("promotion in effect after its requester's confirmation: %d", p.status)
	}
	adminB := a.staffLogin("admin2")
	adminB.get("/console/staff")
	if p := adminB.post("/console/staff/"+id+"/confirm", nil); p.location != "/console/staff?notice=confirmed" {
		t.Fatalf("second admin's confirmation: %q", p.location)
	}
	if p := agent.get("/console/requests"); p.status != http.StatusOK {
		t.Errorf("confirmed promotion not in effect: %d", p.status)
	}
	// Back down: at once, nothing to confirm.
	adminA.get("/console/staff")
	if p := adminA.post("/console/staff/"+id+"/role", url.Values{"role": {"agent"}, "org": {"support"}}); p.location != "/console/staff?notice=role" {
		t.Fatalf("demotion: %q", p.location)
	}
	if p := agent.get("/console/requests"); p.status != http.StatusForbidden {
		t.Errorf("demotion not in effect: %d", p.status)
	}
	// A cancelled promotion leaves the role as it was.
	adminA.get("/console/staff")
	adminA.post("/console/staff/"+id+"/role", url.Values{"role": {"admin"}, "org": {"support"}})
	adminA.get("/console/staff")
	if p := adminA.post("/console/staff/"+id+"/cancel", nil); p.location != "/console/staff?notice=cancelled" {
		t.Fatalf("cancel: %q", p.location)
	}
	adminB.get("/console/staff")
	if p := adminB.post("/console/staff/"+id+"/confirm", nil); p.location != "/console/staff?notice=nothing_pending" {
		t.Errorf("confirmed a cancelled promotion: %q", p.location)
	}
	if p := agent.get("/console/staff"); p.status != http.StatusForbidden {
		t.Errorf("cancelled promotion in effect: %d", p.status)
	}
	// Deactivating drops a waiting promotion: confirming it later cannot
	// bring the account back.
	adminA.get("/console/staff")
	adminA.post("/console/staff/"+id+"/role", url.Values{"role": {"supervisor"}, "org": {"support"}})
	adminA.get("/console/staff")
	adminA.post("/console/staff/"+id+"/deactivate", nil)
	adminB.get("/console/staff")
	if p := adminB.post("/console/staff/"+id+"/confirm", nil); p.location != "/console/staff?notice=nothing_pending" {
		t.Errorf("confirmed the promotion of a deactivated account: %q", p.location)
	}
	if !passwordRefused(a, "agent", demoStaffPassword) {
		t.Error("the deactivated account logs in")
	}
}

// duplicateIDs lists the element ids a page uses more than once.
func duplicateIDs(p *page) []string {
	seen := map[string]int{}
	walk(p.doc, func(n *html.Node) {
		if id := attr(n, "id"); n.Type == html.ElementNode && id != "" {
			seen[id]++
		}
	})
	var out []string
	for id, n := range seen {
		if n > 1 {
			out = append(out, id)
		}
	}
	return out
}
