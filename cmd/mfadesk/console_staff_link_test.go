package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// staffLinkTo links a staff member to a brokerage account as admin c does
// it on the staff page, and returns where the page sent the browser.
func staffLinkTo(a *testApp, c *client, login, account string) string {
	c.get("/console/staff")
	return c.post("/console/staff/"+a.staffID(login)+"/customer", url.Values{"customer_account": {account}}).location
}

// An admin links a supervisor to their own brokerage account (audited);
// from then on the supervisor cannot open a case on it, verify, reset or
// change a contact on a colleague's case, nor approve a request about it.
func TestOwnAccountLinkKeepsStaffOff(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	if got := staffLinkTo(a, admin, "supervisor", "9999999"); got != "/console/staff?notice=unknown_account" {
		t.Errorf("unknown account number: %q", got)
	}
	if got := staffLinkTo(a, admin, "admin", "1000001"); got != "/console/staff?notice=own" {
		t.Errorf("admin linked own staff account: %q", got)
	}
	if got := staffLinkTo(a, admin, "supervisor", "1000002"); got != "/console/staff?notice=linked" {
		t.Fatalf("link: %q", got)
	}
	if p := admin.get("/console/staff"); !strings.Contains(p.text("staff-customer"), "1000002") {
		t.Errorf("the staff page does not show the link: %q", p.text("staff-customer"))
	}
	details := a.auditDetails("staff.customer_link")
	if len(details) != 1 || !strings.Contains(details[0], "login=supervisor") || !strings.HasSuffix(details[0],
		"customer_id=0->"+itoaTest(a.customerID("demo-sms"))) {
		t.Errorf("link not audited: %v", details)
	}

	sup := a.staffLogin("supervisor")
	sup.get("/console/customers")
	if p := sup.post("/console/cases", url.Values{"customer_id": {itoaTest(a.customerID("demo-sms"))}, "channel": {"phone"},
		"reason": {"自分の口座"}}); p.status != http.StatusForbidden {
		t.Errorf("supervisor opened a case on own account: %d %q", p.status, p.location)
	}
	if outcomes := a.auditEventsOf("case.open"); len(outcomes) == 0 || outcomes[0] != "refused:own_account" {
		t.Errorf("refused case not audited: %v", outcomes)
	}

	// A colleague's case, strongly verified; the agent's reset waits for approval.
	agent, kase := strongCase(t, a, "agent", "demo-sms")
	if p := agent.post(kase+"/reset", nil); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("agent's reset request: %q", p.location)
	}
	sup.get(kase)
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/verify/possession", url.Values{"channel": {"email"}}},
		{"/verify/knowledge", url.Values{"birth_date": {"1948-11-23"}, "phone": {"090-0000-0002"}}},
		{"/reset", nil},
		{"/contact/send", url.Values{"kind": {"email"}, "value": {"new@example.jp"}}},
		{"/notes", url.Values{"body": {"メモ"}}},
	} {
		if p := sup.post(kase+tc.path, tc.form); p.location != kase+"?notice=own_account" {
			t.Errorf("supervisor POST %s on own account's case: %d %q", tc.path, p.status, p.location)
		}
	}
	if p := sup.decide(onlyRequest(t, sup), "approve", nil); p.location != "/console/requests?notice=own_account" {
		t.Errorf("supervisor approved a request about own account: %q", p.location)
	}
	if got := a.factorKinds("demo-sms"); !slices.Equal(got, []string{"sms"}) {
		t.Errorf("factors changed: %v", got)
	}
	// Another approver still can.
	if p := admin.decide(onlyRequest(t, admin), "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Errorf("admin approval: %q", p.location)
	}
}

// The command line links (on creation or later) and unlinks, audited as
// the system's, and creates an admin active at once.
func TestStaffCommandLinksOwnAccount(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	if _, err := a.runConsoleCommand("staff", "create", "--login", "kato", "--role", "agent", "--org", "support",
		"--customer", "1000003"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.runConsoleCommand("staff", "link", "--login", "agent", "--customer", "1000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.runConsoleCommand("staff", "link", "--login", "agent", "--customer", "9999999"); err == nil {
		t.Error("linked to an unknown account number")
	}
	if _, err := a.runConsoleCommand("staff", "link", "--login", "agent"); err == nil {
		t.Error("link without --customer")
	}
	ctx := context.Background()
	for login, want := range map[string]string{"kato": "1000003", "agent": "1000001"} {
		if st, err := a.DB.StaffByLogin(ctx, login); err != nil || st.CustomerAccount != want {
			t.Errorf("%s linked to %q, want %q (%v)", login, st.CustomerAccount, want, err)
		}
	}
	out, err := a.runConsoleCommand("staff", "list")
	if err != nil || !strings.Contains(out, "1000001") {
		t.Errorf("staff list: %v %q", err, out)
	}
	if _, err := a.runConsoleCommand("staff", "unlink", "--login", "agent"); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.DB.StaffByLogin(ctx, "agent"); st.CustomerID != 0 {
		t.Errorf("unlink left %q", st.CustomerAccount)
	}
	if got := a.auditDetails("staff.customer_link"); len(got) != 2 {
		t.Errorf("links audited: %v", got)
	}
	// The operator's command line is the bootstrap: no second admin.
	if _, err := a.runConsoleCommand("staff", "create", "--login", "boss", "--role", "admin", "--org", "support"); err != nil {
		t.Fatal(err)
	}
	if st, err := a.DB.StaffByLogin(ctx, "boss"); err != nil || !st.Active || st.PendingKind != "" {
		t.Errorf("admin made on the command line waits: %+v %v", st, err)
	}
	if got := a.auditDetails("staff.create"); len(got) != 2 || !strings.Contains(got[1], "customer_id="+itoaTest(a.customerID("demo-email"))) {
		t.Errorf("creation's link not audited: %v", got)
	}
}
