package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/data"
)

// lostPhoneCase opens a lost-phone case from the search result as c and
// returns the case's path.
func lostPhoneCase(t *testing.T, c *client, query string) string {
	t.Helper()
	p := c.get("/console/customers?q=" + url.QueryEscape(query))
	form := p.byTestID("lost-phone-form")
	if form == nil {
		t.Fatalf("search %q: no lost-phone button", query)
	}
	values := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Data == "input" && attr(n, "type") == "hidden" {
			values.Set(attr(n, "name"), attr(n, "value"))
		}
	})
	if values.Get("_csrf") == "" {
		t.Fatal("lost-phone form without a CSRF token")
	}
	res := c.post(attr(form, "action"), values)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/console/cases/") {
		t.Fatalf("lost-phone case: %d %q", res.status, res.location)
	}
	return res.location
}

// The search result opens a lost-phone case in one press, reason written
// in, behind CSRF; the case page shows the reset form waiting, and the
// live part enables it once the customer confirms the possession link.
func TestLostPhoneCaseFromSearch(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	agent.get("/console/customers?q=demo-app")
	form := url.Values{"customer_id": {strconv.FormatInt(a.customerID("demo-app"), 10)}, "reason": {"x"}, "_csrf": {"forged"}}
	if p := agent.post("/console/cases", form); p.status != http.StatusForbidden {
		t.Fatalf("case without a valid CSRF token: %d %q", p.status, p.location)
	}
	kase := lostPhoneCase(t, agent, "demo-app")
	k, err := a.DB.CaseByID(context.Background(), caseID(t, kase))
	if err != nil || k.Reason != "スマートフォンの紛失・機種変更" || k.Channel != "phone" {
		t.Fatalf("case: %+v %v", k, err)
	}

	p := agent.get(kase)
	if !p.has("reset-form-waiting") || p.has("reset-form") || !p.has("case-live") {
		t.Fatalf("case before verification: waiting %v, form %v", p.has("reset-form-waiting"), p.has("reset-form"))
	}
	if !strings.Contains(p.body, `src="/static/case_live.js"`) {
		t.Error("case page without its live script")
	}
	before := attr(p.byTestID("case-live"), "data-live-state")
	if live := agent.get(kase + "/live"); attr(live.byTestID("case-live"), "data-live-state") != before {
		t.Fatal("the live part moved with nothing changed")
	}

	if p := agent.post(kase+"/verify/possession", url.Values{"channel": {"email"}}); p.location != kase+"?notice=link_sent" {
		t.Fatalf("send link: %q", p.location)
	}
	waiting := agent.get(kase + "/live")
	if !waiting.has("link-pending") || waiting.has("reset-form") {
		t.Fatal("live part while the link waits")
	}
	if p := a.answerLink(a.lastLink(emailOf("demo-app")), "yes"); !p.has("link-done") {
		t.Fatalf("confirm link: %d", p.status)
	}
	live := agent.get(kase + "/live")
	if live.status != http.StatusOK || !live.has("reset-form") || live.has("reset-form-waiting") || live.has("link-pending") {
		t.Fatalf("live part after the confirmation: %d form %v", live.status, live.has("reset-form"))
	}
	if attr(live.byTestID("case-strength"), "data-strength") != data.StrengthStrong {
		t.Error("live part does not show the strong verification")
	}
	if attr(live.byTestID("case-live"), "data-live-state") == attr(waiting.byTestID("case-live"), "data-live-state") {
		t.Error("live state did not move when the customer confirmed")
	}
	if strings.Contains(live.body, "<html") && strings.Contains(live.body, "<nav") {
		t.Error("the live part is a whole page")
	}
}

// The case's live part follows the supervisor's decision: the approved
// reset's pass button appears without the agent reloading the page.
func TestCaseLiveFollowsDecision(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent, kase, id := agentResetRequest(t, a, url.Values{"temp_pass": {"on"}})
	before := agent.get(kase + "/live")
	if before.has("issue-pass-form") || before.has("pass-ready") {
		t.Fatal("pass offered before the decision")
	}
	if p := a.staffLogin("supervisor").decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("approve: %q", p.location)
	}
	after := agent.get(kase + "/live")
	if !after.has("issue-pass-form") || !after.has("pass-ready") {
		t.Fatal("live part without the pass after approval")
	}
	if attr(after.byTestID("case-live"), "data-live-state") == attr(before.byTestID("case-live"), "data-live-state") {
		t.Error("live state did not move with the decision")
	}
	if p := agent.post(kase+"/temp-pass", url.Values{"request_id": {id}}); p.status != http.StatusOK || p.text("temp-pass") == "" {
		t.Fatalf("issue pass: %d", p.status)
	}
	if agent.get(kase + "/live").has("issue-pass-form") {
		t.Error("pass offered twice")
	}
}

// The live part is the case page's: the same policy and case scope.
// Other roles are refused, other organisations and partners of other
// cases find nothing, a customer's session is refused, and a staff
// member linked to the customer's account reads it without any form.
func TestCaseLiveAccess(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addStaff("agent-compliance", "agent", "compliance")
	a.addStaff("supervisor-own", "supervisor", "support")
	agent, kase := strongCase(t, a, "agent", "demo-sms")
	if p := agent.get(kase + "/live"); p.status != http.StatusOK || !p.has("reset-form") {
		t.Fatalf("agent: %d", p.status)
	}
	ctx := context.Background()
	st, err := a.DB.StaffByLogin(ctx, "supervisor-own")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.SetStaffCustomer(ctx, st.ID, a.customerID("demo-sms"))
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who        string
		client     func() *client
		wantStatus int
		wantLoc    string
	}{
		{"auditor", func() *client { return a.staffLogin("auditor") }, http.StatusForbidden, ""},
		{"partner of another case", func() *client { return a.staffLogin("partner") }, http.StatusNotFound, ""},
		{"agent of another organisation", func() *client { return a.staffLogin("agent-compliance") }, http.StatusNotFound, ""},
		{"customer", func() *client { return a.subjectClient("customer") }, http.StatusForbidden, ""},
		{"anonymous", func() *client { return a.subjectClient("anonymous") }, http.StatusSeeOther, "/console/login"},
		{"own account", func() *client { return a.staffLogin("supervisor-own") }, http.StatusOK, ""},
	}
	for _, tt := range tests {
		p := tt.client().get(kase + "/live")
		if p.status != tt.wantStatus || p.location != tt.wantLoc {
			t.Errorf("%s: %d %q, want %d %q", tt.who, p.status, p.location, tt.wantStatus, tt.wantLoc)
			continue
		}
		if p.status == http.StatusOK && (p.has("reset-form") || p.has("reset-form-waiting")) {
			t.Errorf("%s: a reset form on their own account's case", tt.who)
		}
		if p.status == http.StatusOK && !p.has("case-live") {
			t.Errorf("%s: no live part", tt.who)
		}
	}
	if d := a.auditDetails("console.denied"); len(d) == 0 || !strings.Contains(strings.Join(d, "\n"), "/live") {
		t.Errorf("refusals not audited: %v", d)
	}
}

// The page polls its live part; a poll is not activity, so a case page
// left open still ends the session at the idle limit.
func TestCaseLiveDoesNotKeepSessionAlive(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-sms"), "phone")
	a.clock.Advance(10 * time.Minute)
	if p := agent.get(kase + "/live"); p.status != http.StatusOK {
		t.Fatalf("poll within the idle limit: %d %q", p.status, p.location)
	}
	a.clock.Advance(6 * time.Minute) // 16 minutes since the page was loaded
	if p := agent.get(kase + "/live"); p.status != http.StatusSeeOther || p.location != "/console/login" {
		t.Fatalf("poll after the idle limit: %d %q", p.status, p.location)
	}
}

// The approval card carries what the approver needs: the case (linked
// when they may open it) and its reason, the customer masked, the
// identity checks with who did them and from where, who asked and when.
func TestApprovalCardContext(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	_, kase, _ := agentResetRequest(t, a, nil)
	partner, shopCase := strongCase(t, a, "partner", "demo-sms")
	if p := partner.post(shopCase+"/reset", nil); p.location != shopCase+"?notice=reset_requested" {
		t.Fatalf("partner request: %q", p.location)
	}
	p := a.staffLogin("supervisor").get("/console/requests")
	cards := p.all("request")
	if len(cards) != 2 {
		t.Fatalf("%d cards, want 2", len(cards))
	}
	agentCard, shopCard := cardPage(cards[0]), cardPage(cards[1])

	caseLink := find(agentCard.byTestID("request-case"), func(n *html.Node) bool { return n.Data == "a" })
	if caseLink == nil || attr(caseLink, "href") != kase || !strings.Contains(textOf(caseLink), strings.TrimPrefix(kase, "/console/cases/")) {
		t.Errorf("agent's card: case link %v", caseLink)
	}
	if got := agentCard.text("request-case-reason"); got != "認証アプリの再設定" {
		t.Errorf("case reason %q", got)
	}
	customer := agentCard.text("request-customer")
	if !strings.Contains(customer, "1000002") || strings.Contains(customer, emailOf("demo-sms")) || !strings.Contains(customer, "*") {
		t.Errorf("customer not shown masked: %q", customer)
	}
	if got := agentCard.text("request-requester"); !strings.Contains(got, "窓口 次郎") || !strings.Contains(got, "agent") ||
		!strings.Contains(got, "サポートセンター") {
		t.Errorf("requester %q", got)
	}
	if got := agentCard.text("request-created"); !strings.Contains(got, "2026") {
		t.Errorf("asked when: %q", got)
	}
	if !strings.Contains(agentCard.text("request-summary"), "リセット") {
		t.Errorf("what is asked: %q", agentCard.text("request-summary"))
	}
	check := agentCard.byTestID("check")
	if check == nil || attr(check, "data-method") != "possession" || attr(check, "data-status") != "passed" ||
		attr(check, "data-strength") != "strong" {
		t.Fatalf("agent's card: identity check %v", check)
	}
	if got := agentCard.text("check-by"); !strings.Contains(got, "窓口 次郎") || !strings.Contains(got, "サポートセンター") {
		t.Errorf("check by %q", got)
	}

	// A shop's case: the supervisor (call centre) may not open it, so the
	// number shows without a link; the document check names the shop.
	if find(shopCard.byTestID("request-case"), func(n *html.Node) bool { return n.Data == "a" }) != nil {
		t.Error("shop case linked for a supervisor who may not open it")
	}
	if !strings.Contains(shopCard.text("request-case"), strings.TrimPrefix(shopCase, "/console/cases/")) {
		t.Errorf("shop card case %q", shopCard.text("request-case"))
	}
	if got := shopCard.text("check-by"); !strings.Contains(got, "店頭 三郎") || !strings.Contains(got, "提携ショップ 渋谷店") {
		t.Errorf("shop check by %q", got)
	}
	if attr(shopCard.byTestID("check"), "data-method") != "document" {
		t.Error("shop card without the document check")
	}
}

// cardPage lets one card be searched like a page.
func cardPage(n *html.Node) *page { return &page{doc: n} }

// The header shows approvers how many requests wait, and nobody else;
// an expired request no longer counts.
func TestPendingCountInHeader(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	count := func(c *client) string {
		t.Helper()
		p := c.get("/console")
		if !p.has("pending-count") {
			return "none"
		}
		return attr(p.byTestID("pending-count"), "data-count")
	}
	sup, admin := a.staffLogin("supervisor"), a.staffLogin("admin")
	if got := count(sup); got != "0" {
		t.Errorf("supervisor before any request: %s", got)
	}
	agent, _, _ := agentResetRequest(t, a, nil)
	for who, c := range map[string]*client{"supervisor": sup, "admin": admin} {
		if got := count(c); got != "1" {
			t.Errorf("%s: count %s, want 1", who, got)
		}
	}
	if p := sup.get("/console"); !strings.Contains(p.text("pending-count"), "承認待ち 1件") ||
		attr(p.byTestID("pending-count"), "href") != "/console/requests" {
		t.Errorf("count link %q", p.text("pending-count"))
	}
	for who, c := range map[string]*client{"agent": agent, "auditor": a.staffLogin("auditor"), "partner": a.staffLogin("partner")} {
		if got := count(c); got != "none" {
			t.Errorf("%s sees a count: %s", who, got)
		}
	}
	a.clock.Advance(24*time.Hour + time.Minute)
	sup = a.staffLogin("supervisor")
	if got := count(sup); got != "0" {
		t.Errorf("after expiry: %s", got)
	}
}
