package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"mfadesk/data"
	"mfadesk/support"
)

// parallelLookups sends one exact lookup per form at once, each from the
// client of the same index, released together by a barrier, and counts
// the answers by status.
func parallelLookups(t *testing.T, clients []*client, forms []url.Values) map[int]int {
	t.Helper()
	start := make(chan struct{})
	statuses := make(chan int, len(forms))
	var wg sync.WaitGroup
	for i, form := range forms {
		c := clients[i]
		form.Set("_csrf", c.csrf)
		body := form.Encode()
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, c.app.srv.URL+"/console/partner/find", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			<-start
			resp, err := c.http.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	return count
}

func lookupForm(account, birth string) url.Values {
	return url.Values{"account_number": {account}, "birth_date": {birth}}
}

// limitEvents lists the attempt-limit refusals in the audit trail.
func (a *testApp) limitEvents() []data.AuditEvent {
	a.t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), dataFilter(support.ActionAttemptLimit))
	if err != nil {
		a.t.Fatal(err)
	}
	return events
}

// The partners' exact lookup cannot be used to walk through birth dates:
// misses are limited per partner and per account number, parallel
// requests never get past the limit, and a refusal is audited without the
// birth date tried and answered the same whether the account exists.
func TestPartnerLookupLimits(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	p1 := a.staffLogin("partner")
	p1.get("/console/partner/find")

	// One partner, many account numbers at once: the partner's budget.
	const n = 3 * support.LookupMissesPerStaff
	var clients []*client
	var forms []url.Values
	for i := 0; i < n; i++ {
		clients = append(clients, p1)
		forms = append(forms, lookupForm(fmt.Sprintf("9%06d", i), "1948-11-23"))
	}
	got := parallelLookups(t, clients, forms)
	if got[http.StatusNotFound] != support.LookupMissesPerStaff || got[http.StatusTooManyRequests] != n-support.LookupMissesPerStaff {
		t.Fatalf("%d parallel misses answered %v, want %d not found and the rest refused", n, got, support.LookupMissesPerStaff)
	}
	events := a.limitEvents()
	if len(events) != n-support.LookupMissesPerStaff {
		t.Fatalf("%d refusals audited, want %d", len(events), n-support.LookupMissesPerStaff)
	}
	for _, e := range events {
		if e.Outcome != "refused:lookup_staff" || e.Actor != "partner" || e.StaffOrg != "shop-demo" ||
			!strings.HasPrefix(e.Detail, `account="9`) || strings.Contains(e.Detail, "1948") || e.CustomerID != 0 {
			t.Errorf("refusal audited as %+v", e)
		}
	}
	// Refused even with the right birth date, and with the same answer.
	p := p1.post("/console/partner/find", lookupForm("1000002", "1948-11-23"))
	if p.status != http.StatusTooManyRequests || p.has("partner-found") || p.text("notice-error") == "" {
		t.Errorf("a right lookup past the partner's limit: %d found=%v", p.status, p.has("partner-found"))
	}

	// Another partner is not blocked by that budget.
	a.addStaff("partner2", support.RolePartner, "shop-demo")
	a.addStaff("partner3", support.RolePartner, "shop-demo")
	p2, p3 := a.staffLogin("partner2"), a.staffLogin("partner3")
	for _, c := range []*client{p2, p3} {
		c.get("/console/partner/find")
		if p := c.post("/console/partner/find", lookupForm("1000002", "1948-11-23")); p.status != http.StatusOK || !p.has("partner-found") {
			t.Fatalf("another partner's lookup: %d", p.status)
		}
	}

	// Two partners guessing one account's birth date at once: the
	// account's budget holds across staff.
	clients, forms = nil, nil
	for i := 0; i < 4*support.LookupMissesPerAccount; i++ {
		clients = append(clients, []*client{p2, p3}[i%2])
		forms = append(forms, lookupForm("1000002", fmt.Sprintf("1950-01-%02d", i+1)))
	}
	got = parallelLookups(t, clients, forms)
	if got[http.StatusNotFound] != support.LookupMissesPerAccount {
		t.Fatalf("parallel guesses on one account answered %v, want %d not found", got, support.LookupMissesPerAccount)
	}
	// Now even the right birth date is refused, like an account that does
	// not exist.
	right := p3.post("/console/partner/find", lookupForm("1000002", "1948-11-23"))
	for i := 0; i < support.LookupMissesPerAccount; i++ {
		p3.post("/console/partner/find", lookupForm("8888888", "1950-01-01"))
	}
	none := p3.post("/console/partner/find", lookupForm("8888888", "1950-01-01"))
	if right.status != http.StatusTooManyRequests || none.status != right.status || right.text("notice-error") != none.text("notice-error") {
		t.Errorf("past the account's limit: existing %d %q, unknown %d %q", right.status, right.text("notice-error"),
			none.status, none.text("notice-error"))
	}
	if p := p3.post("/console/partner/cases", url.Values{"account_number": {"1000002"}, "birth_date": {"1948-11-23"},
		"reason": {"x"}}); p.status != http.StatusTooManyRequests {
		t.Errorf("opening a case past the account's limit: %d", p.status)
	}
}

// knowledge submits a knowledge check on the case and returns the notice.
func knowledge(c *client, kase, birth, phone string) string {
	c.get(kase)
	p := c.post(kase+"/verify/knowledge", url.Values{"birth_date": {birth}, "phone": {phone}})
	return strings.TrimPrefix(p.location, kase+"?notice=")
}

// The knowledge check cannot be used to guess a birth date or the digits
// of a masked phone number: failures are limited per customer (across
// staff) and per staff member (across customers).
func TestKnowledgeCheckLimits(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	cu := a.customer("demo-sms")
	kase := agent.openCase(cu.ID, "phone")
	for i := 0; i < support.KnowledgeFailuresPerCustomer; i++ {
		if got := knowledge(agent, kase, cu.BirthDate, fmt.Sprintf("090-0000-%04d", 9000+i)); got != "knowledge_failed" {
			t.Fatalf("failure %d: %q", i+1, got)
		}
	}
	if got := knowledge(agent, kase, cu.BirthDate, cu.Phone); got != "attempt_limit" {
		t.Fatalf("the right answer past the customer's limit: %q, want attempt_limit", got)
	}
	sup := a.staffLogin("supervisor")
	other := sup.openCase(cu.ID, "phone")
	if got := knowledge(sup, other, cu.BirthDate, cu.Phone); got != "attempt_limit" {
		t.Errorf("another staff member on the same customer: %q, want attempt_limit", got)
	}
	events := a.limitEvents()
	if len(events) != 2 || events[0].Outcome != "refused:knowledge_customer" || events[0].CustomerID != cu.ID ||
		events[0].StaffOrg != "support" || strings.Contains(events[0].Detail, cu.BirthDate) {
		t.Fatalf("refusals audited as %+v", events)
	}

	// One staff member failing on many customers: the staff budget.
	failed := support.KnowledgeFailuresPerCustomer
	var last string
	for _, login := range []string{"demo-app", "demo-email", "demo-noemail"} {
		k := agent.openCase(a.customerID(login), "phone")
		for i := 0; i < support.KnowledgeFailuresPerCustomer && failed < support.KnowledgeFailuresPerStaff; i++ {
			if got := knowledge(agent, k, "1900-01-01", ""); got != "knowledge_failed" {
				t.Fatalf("failure %d of the agent: %q", failed+1, got)
			}
			failed++
		}
		last = k
	}
	if failed != support.KnowledgeFailuresPerStaff {
		t.Fatalf("test set-up: %d failures, want %d", failed, support.KnowledgeFailuresPerStaff)
	}
	noemail := a.customer("demo-noemail")
	if got := knowledge(agent, last, noemail.BirthDate, noemail.Phone); got != "attempt_limit" {
		t.Errorf("the agent past their own limit: %q", got)
	}
	if got := knowledge(sup, sup.openCase(noemail.ID, "phone"), noemail.BirthDate, noemail.Phone); got != "knowledge_passed" {
		t.Errorf("the supervisor blocked by the agent's budget: %q", got)
	}
}

// Supervisors find the refusals from their home page: the audit trail
// filtered to them.
func TestSupervisorSeesLimitRefusals(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	partner := a.staffLogin("partner")
	partner.get("/console/partner/find")
	for i := 0; i <= support.LookupMissesPerAccount; i++ {
		partner.post("/console/partner/find", lookupForm("1000002", fmt.Sprintf("1951-02-%02d", i+1)))
	}
	sup := a.staffLogin("supervisor")
	link := sup.get("/console").byTestID("limit-refusals")
	if link == nil {
		t.Fatal("no link to the refusals on the supervisor's home")
	}
	page := sup.get(attr(link, "href"))
	rows := page.all("audit-action")
	if page.status != http.StatusOK || len(rows) != 1 || textOf(rows[0]) != support.ActionAttemptLimit {
		t.Fatalf("refusals page: %d, %d rows", page.status, len(rows))
	}
	if strings.Contains(page.text("audit-events"), "1951-02") {
		t.Error("the audit trail shows a guessed birth date")
	}
	if a.staffLogin("agent").get("/console").has("limit-refusals") {
		t.Error("the refusals link is shown to an agent, who may not read the audit trail")
	}
}
