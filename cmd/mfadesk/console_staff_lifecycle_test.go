package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// resetPassword has the admin client reset a staff member's password.
func resetPassword(a *testApp, admin *client, login string) *page {
	admin.get("/console/staff")
	return admin.post("/console/staff/"+a.staffID(login)+"/password/reset", nil)
}

// An admin's reset shows a temporary password once, ends the staff
// member's sessions and makes them choose a new one at the next login;
// nobody resets their own, and only admins reset anyone's.
func TestAdminResetsStaffPassword(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	admin := a.staffLogin("admin")
	p := resetPassword(a, admin, "agent")
	temporary := p.text("temporary-password")
	if p.status != http.StatusOK || len(temporary) != 16 || !strings.Contains(p.text("staff-password-reset"), "agent") {
		t.Fatalf("reset: %d %q", p.status, temporary)
	}
	if p := admin.get("/console/staff"); p.has("temporary-password") || strings.Contains(p.body, temporary) {
		t.Error("temporary password shown again")
	}
	if p := agent.get("/console"); p.location != "/console/login" {
		t.Errorf("the agent's session survived the reset: %d %q", p.status, p.location)
	}
	if d := a.auditDetails("staff.password_reset"); len(d) != 1 || d[0] != "staff_id="+a.staffID("agent")+" login=agent" {
		t.Errorf("reset audited as %v", d)
	}
	if !passwordRefused(a, "agent", demoStaffPassword) {
		t.Error("the old password still logs in")
	}
	c, where := staffLoginWith(t, a, "agent", temporary, demoTOTPSecret)
	if where != "/console" || c.get("/console").location != mustChange {
		t.Fatalf("login with the temporary password: %q", where)
	}
	if p := changeOwnPassword(c, temporary, ownStaffPassword); p.location != "/console" {
		t.Fatalf("change: %d %q", p.status, p.location)
	}

	if p := resetPassword(a, admin, "admin"); p.location != "/console/staff?notice=own" {
		t.Errorf("admin reset own password: %d %q", p.status, p.location)
	}
	sup := a.staffLogin("supervisor")
	sup.get("/console")
	if p := sup.post("/console/staff/"+a.staffID("agent")+"/password/reset", nil); p.status != http.StatusForbidden {
		t.Errorf("supervisor reset a password: %d", p.status)
	}
	if got := a.auditEventsOf("staff.password_reset"); len(got) != 1 {
		t.Errorf("refused resets changed something: %v", got)
	}
}

// One admin never holds both the password and the second factor of an
// approver: an approver's password is reset only while their
// authenticator stands, and their authenticator not while their password
// is a temporary one. Others' both may be reset.
func TestAdminResetOfApproverKeepsItsSecondFactor(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	temporary := resetPassword(a, admin, "supervisor").text("temporary-password")
	if temporary == "" {
		t.Fatal("reset of a supervisor with an authenticator refused")
	}
	admin.get("/console/staff")
	if p := admin.post("/console/staff/"+a.staffID("supervisor")+"/totp/reset", nil); p.location != "/console/staff?notice=temporary_password" {
		t.Fatalf("authenticator reset on a temporary password: %q", p.location)
	}
	if got := a.auditEventsOf("staff.totp_reset"); !slices.Equal(got, []string{"refused:temporary_password"}) {
		t.Errorf("refusal audited as %v", got)
	}
	sup, _ := staffLoginWith(t, a, "supervisor", temporary, demoTOTPSecret)
	if p := changeOwnPassword(sup, temporary, ownStaffPassword); p.location != "/console" {
		t.Fatalf("supervisor's change: %d %q", p.status, p.location)
	}
	admin.get("/console/staff")
	if p := admin.post("/console/staff/"+a.staffID("supervisor")+"/totp/reset", nil); p.location != "/console/staff?notice=totp_reset" {
		t.Fatalf("authenticator reset after the change: %q", p.location)
	}
	if p := resetPassword(a, admin, "supervisor"); p.location != "/console/staff?notice=needs_second_factor" || p.has("temporary-password") {
		t.Errorf("password reset of a supervisor without authenticator: %d %q", p.status, p.location)
	}
	if got := a.auditEventsOf("staff.password_reset"); len(got) != 2 || got[0] != "refused:no_second_factor" {
		t.Errorf("refusal audited as %v", got)
	}
	if passwordRefused(a, "supervisor", ownStaffPassword) {
		t.Error("the refused reset changed the password")
	}
	// An agent's: both, in either order.
	admin.get("/console/staff")
	admin.post("/console/staff/"+a.staffID("agent")+"/totp/reset", nil)
	if p := resetPassword(a, admin, "agent"); !p.has("temporary-password") {
		t.Errorf("agent's password reset after the authenticator's: %d %q", p.status, p.location)
	}
}

// The create form chooses no role nor organisation for the admin; a
// missing one is the field's error, and what was typed stays.
func TestStaffCreateFormHasNoDefaultRole(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	p := admin.get("/console/staff")
	for _, name := range []string{"role", "org"} {
		sel := find(p.doc, func(n *html.Node) bool { return n.Data == "select" && attr(n, "id") == name })
		if sel == nil || !hasAttr(sel, "required") {
			t.Fatalf("create form's %s select missing or not required", name)
		}
		chosen := find(sel, func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") })
		if chosen == nil || attr(chosen, "value") != "" {
			t.Errorf("%s: an option is chosen by default", name)
		}
	}
	p = admin.post("/console/staff", url.Values{"login_id": {"tanaka"}, "name": {"田中 一"}, "customer_account": {"1000003"},
		"role": {""}, "org": {"support"}})
	if p.status != http.StatusUnprocessableEntity || !p.has("role-error") || p.has("org-error") {
		t.Fatalf("missing role: %d", p.status)
	}
	for id, want := range map[string]string{"login_id": "tanaka", "name": "田中 一", "customer_account": "1000003"} {
		// By id: every row has a form with its own customer_account field.
		if in := find(p.doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "id") == id }); in == nil || attr(in, "value") != want {
			t.Errorf("typed %s lost", id)
		}
	}
	org := find(p.doc, func(n *html.Node) bool { return n.Data == "select" && attr(n, "id") == "org" })
	if chosen := find(org, func(n *html.Node) bool { return n.Data == "option" && hasAttr(n, "selected") }); chosen == nil || attr(chosen, "value") != "support" {
		t.Error("the chosen organisation was lost")
	}
	if p := admin.post("/console/staff", url.Values{"login_id": {"tanaka"}, "name": {"田中 一"}, "role": {"agent"}}); !p.has("org-error") {
		t.Errorf("missing organisation: %d", p.status)
	}
	if got := a.auditEventsOf("staff.create"); len(got) != 0 {
		t.Errorf("refused forms created staff: %v", got)
	}
}

// Admins create organisations (a partner shop's id starts with shop-,
// no other's) and rename them, audited; others cannot.
func TestAdminManagesOrganisations(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	admin.get("/console/staff")
	p := admin.post("/console/organisations", url.Values{"org_id": {"shop-shinjuku"}, "org_name": {"提携ショップ 新宿店"}, "org_kind": {"partner"}})
	if p.location != "/console/staff?notice=org_created" {
		t.Fatalf("create: %d %q", p.status, p.location)
	}
	p = admin.get("/console/staff")
	if !strings.Contains(p.text("org-shop-shinjuku"), "提携ショップ") {
		t.Errorf("new shop not listed: %q", p.text("org-list"))
	}
	org := find(p.doc, func(n *html.Node) bool { return n.Data == "select" && attr(n, "id") == "org" })
	if find(org, func(n *html.Node) bool { return n.Data == "option" && attr(n, "value") == "shop-shinjuku" }) == nil {
		t.Error("the new shop cannot be chosen for staff")
	}
	if d := a.auditDetails("organisation.create"); len(d) != 1 || d[0] != "org=shop-shinjuku kind=partner" {
		t.Errorf("creation audited as %v", d)
	}
	for _, tt := range []struct {
		id, kind, field string
	}{
		{"shinjuku", "partner", "org_kind"},      // a shop outside shop-*
		{"shop-centre", "centre", "org_kind"},    // a centre inside it
		{"support", "centre", "org_id"},          // taken
		{"Shop X", "partner", "org_id"},          // not an id
		{"shop-ikebukuro", "", "org_kind"},       // no kind chosen
		{"shop-ikebukuro", "branch", "org_kind"}, // not a kind
	} {
		p := admin.post("/console/organisations", url.Values{"org_id": {tt.id}, "org_name": {"新しい組織"}, "org_kind": {tt.kind}})
		if p.status != http.StatusUnprocessableEntity || !p.has(tt.field+"-error") || p.inputValue("org_name") != "新しい組織" {
			t.Errorf("%s/%s: %d, want %s's error and the name kept", tt.id, tt.kind, p.status, tt.field)
		}
	}
	admin.get("/console/staff")
	if p := admin.post("/console/organisations/shop-demo/name", url.Values{"name": {"提携ショップ 渋谷駅前店"}}); p.location != "/console/staff?notice=org_renamed" {
		t.Fatalf("rename: %d %q", p.status, p.location)
	}
	if p := admin.get("/console/staff"); !strings.Contains(p.text("staff-partner"), "渋谷駅前店") {
		t.Errorf("the partner's row keeps the old name: %q", p.text("staff-partner"))
	}
	if d := a.auditDetails("organisation.rename"); len(d) != 1 || d[0] != "org=shop-demo name=提携ショップ 渋谷店->提携ショップ 渋谷駅前店" {
		t.Errorf("rename audited as %v", d)
	}
	if p := admin.post("/console/organisations/shop-nowhere/name", url.Values{"name": {"x"}}); p.status != http.StatusNotFound {
		t.Errorf("rename of an unknown organisation: %d", p.status)
	}
	if p := admin.post("/console/organisations/shop-demo/name", url.Values{"name": {" "}}); p.location != "/console/staff?notice=org_name_bad" {
		t.Errorf("empty name: %q", p.location)
	}
	sup := a.staffLogin("supervisor")
	sup.get("/console")
	if p := sup.post("/console/organisations", url.Values{"org_id": {"shop-x"}, "org_name": {"x"}, "org_kind": {"partner"}}); p.status != http.StatusForbidden {
		t.Errorf("supervisor created an organisation: %d", p.status)
	}
	if got := a.auditEventsOf("organisation.create"); len(got) != 1 {
		t.Errorf("refused creations audited as created: %v", got)
	}
}

// The staff page, with every form repeated per staff member and per
// organisation and its errors shown, uses each id once, and every field
// has its label (a wrapping label or one naming its id).
func TestStaffPageIDsUniqueAndLabelled(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addStaff("admin2", "admin", "support")
	admin := a.staffLogin("admin")
	admin.get("/console/staff")
	admin.post("/console/staff/"+a.staffID("agent")+"/role", url.Values{"role": {"supervisor"}, "org": {"support"}})
	pages := map[string]*page{"list": admin.get("/console/staff")}
	pages["create refused"] = admin.post("/console/staff", url.Values{"login_id": {""}, "role": {""}})
	pages["organisation refused"] = admin.post("/console/organisations", url.Values{"org_id": {"x"}})
	pages["reset"] = resetPassword(a, admin, "partner")
	pages["password page"] = a.staffLogin("agent").get(staffPasswordPath)
	for name, p := range pages {
		if d := duplicateIDs(p); len(d) > 0 {
			t.Errorf("%s: ids used more than once: %v", name, d)
		}
		if u := unlabelledFields(p); len(u) > 0 {
			t.Errorf("%s: fields without a label: %v", name, u)
		}
	}
	if n := len(pages["list"].all("org-rename-form")); n < 3 {
		t.Errorf("%d rename forms, want one per organisation", n)
	}
}

// unlabelledFields lists the name of every visible input or select that
// neither sits in a label nor has a label naming its id.
func unlabelledFields(p *page) []string {
	labelled := map[string]bool{}
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "label" && attr(n, "for") != "" {
			labelled[attr(n, "for")] = true
		}
	})
	var out []string
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode || (n.Data != "input" && n.Data != "select") || attr(n, "type") == "hidden" {
			return
		}
		for up := n.Parent; up != nil; up = up.Parent {
			if up.Data == "label" {
				return
			}
		}
		if id := attr(n, "id"); id == "" || !labelled[id] {
			out = append(out, attr(n, "name"))
		}
	})
	return out
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
