package main

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
	"mfadesk/support"
)

// docs/security.md S62: possession by link. The agent sends a link; the
// customer opens it from the message, sees the case number and the staff
// member, and confirms; the case then shows a strong verification and the
// agent can act. Nothing is read to anyone.
func TestPossessionLinkConfirmed(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-sms"), "phone")
	strength := func() string { return attr(agent.get(kase).byTestID("case-strength"), "data-strength") }
	if p := agent.post(kase+"/verify/possession", url.Values{"channel": {"sms"}}); p.location != kase+"?notice=link_sent" {
		t.Fatalf("send link: %q", p.location)
	}
	if p := agent.get(kase); !p.has("link-pending") || strength() == data.StrengthStrong {
		t.Fatal("case does not wait for the customer, or is strong before they confirmed")
	}
	if p := agent.get(kase + "/contact"); p.status != http.StatusForbidden {
		t.Fatalf("contact before the customer confirmed: %d", p.status)
	}

	link := a.lastLink("090-0000-0002")
	staff, err := a.DB.StaffByLogin(context.Background(), "agent")
	if err != nil {
		t.Fatal(err)
	}
	cu := a.newClient()
	page := cu.get(link)
	if page.status != http.StatusOK || page.text("link-case") != path.Base(kase) ||
		!strings.Contains(page.text("link-staff"), staff.Name) || !strings.Contains(page.text("link-staff"), staff.OrgName) {
		t.Fatalf("confirmation page: %d case %q staff %q", page.status, page.text("link-case"), page.text("link-staff"))
	}
	if p := cu.post(link, url.Values{"answer": {"yes"}, "_csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("answer without the page's CSRF token: %d", p.status)
	}
	if p := cu.post(link, url.Values{"answer": {"yes"}}); p.status != http.StatusOK || !p.has("link-done") {
		t.Fatalf("confirm: %d", p.status)
	}

	if p := agent.get(kase); p.has("link-pending") || strength() != data.StrengthStrong {
		t.Fatalf("case after the confirmation: pending %v, strength %q", p.has("link-pending"), strength())
	}
	if p := agent.get(kase + "/contact"); p.status != http.StatusOK {
		t.Fatalf("contact after the confirmation: %d", p.status)
	}
	if got := a.auditDetails("case.verify.possession"); len(got) != 1 || !strings.Contains(got[0], "by=link") {
		t.Errorf("audit of the confirmation: %q", got)
	}
	// Used up: the same link again, even by the same browser, is refused.
	if p := a.answerLink(link, "yes"); p.status != http.StatusNotFound {
		t.Errorf("reused link: %d", p.status)
	}
	if p := cu.get(link); p.status != http.StatusNotFound {
		t.Errorf("reused link, same browser: %d", p.status)
	}
}

// docs/security.md S62: a link counts only for its own case, only once,
// only for LinkTTL, and a newer link voids the older one.
func TestPossessionLinkRefusals(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	strong := func(kase string) bool {
		return attr(agent.get(kase).byTestID("case-strength"), "data-strength") == data.StrengthStrong
	}
	caseA := agent.openCase(a.customerID("demo-sms"), "phone")
	caseB := agent.openCase(a.customerID("demo-email"), "phone")
	agent.get(caseA)
	agent.post(caseA+"/verify/possession", url.Values{"channel": {"sms"}})
	linkA := a.lastLink("090-0000-0002")
	agent.get(caseB)
	agent.post(caseB+"/verify/possession", url.Values{"channel": {"email"}})
	first := a.lastLink("demo-email@example.jp")

	// Case A's link confirms case A, never case B.
	if p := a.answerLink(linkA, "yes"); !p.has("link-done") {
		t.Fatalf("case A's link: %d", p.status)
	}
	if !strong(caseA) || strong(caseB) {
		t.Fatalf("after case A's link: A strong %v, B strong %v", strong(caseA), strong(caseB))
	}

	// A resend voids the first link of case B.
	a.clock.Advance(time.Minute)
	agent.get(caseB)
	if p := agent.post(caseB+"/verify/possession", url.Values{"channel": {"email"}}); p.location != caseB+"?notice=link_sent" {
		t.Fatalf("resend: %q", p.location)
	}
	second := a.lastLink("demo-email@example.jp")
	if p := a.answerLink(first, "yes"); p.status != http.StatusNotFound || strong(caseB) {
		t.Fatalf("voided link: %d", p.status)
	}

	// Expired: past LinkTTL the link is refused and the case stays unverified.
	a.clock.Advance(support.LinkTTL - time.Minute)
	agent.get(caseB) // activity, so the staff session's idle limit does not end it first
	a.clock.Advance(time.Minute)
	if p := a.answerLink(second, "yes"); p.status != http.StatusNotFound || strong(caseB) {
		t.Fatalf("expired link: %d", p.status)
	}
}

// docs/security.md S62: "no" fails the verification, is audited, and the
// case page warns the agent.
func TestPossessionLinkDeniedWarnsAgent(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-email"), "phone")
	agent.post(kase+"/verify/possession", url.Values{"channel": {"email"}})
	if p := agent.get(kase); p.has("link-denied") {
		t.Fatal("warning before any answer")
	}
	if p := a.answerLink(a.lastLink("demo-email@example.jp"), "no"); !p.has("link-done") {
		t.Fatalf("answer no: %d", p.status)
	}
	p := agent.get(kase)
	if !p.has("link-denied") || p.has("link-pending") || attr(p.byTestID("case-strength"), "data-strength") == data.StrengthStrong {
		t.Fatalf("case after no: warning %v, pending %v", p.has("link-denied"), p.has("link-pending"))
	}
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: "case.verify.possession", Limit: 10})
	if err != nil || len(events) != 1 || events[0].Outcome != "refused:customer_denied" || events[0].ActorKind != "customer" ||
		events[0].Actor != "demo-email" {
		t.Fatalf("audit of the answer: %+v %v", events, err)
	}
}

// docs/security.md S62: one address presenting unknown links is stopped.
func TestPossessionLinkGuessingLimited(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	guesser := a.newClient()
	for i := range support.LinkTriesPerAddress {
		if p := guesser.get("/verify/" + strings.Repeat("A", 42) + string(rune('a'+i%26))); p.status != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i+1, p.status)
		}
	}
	for range 3 {
		if p := guesser.get("/verify/" + strings.Repeat("B", 43)); p.status != http.StatusTooManyRequests {
			t.Fatalf("guess past the budget: %d", p.status)
		}
	}
	// Audited once per window, however often it is asked (the audit trail
	// is append-only: anonymous requests must not grow it without bound).
	if got := a.limitEvents(); len(got) != 1 || got[0].Outcome != "refused:link_address" {
		t.Errorf("limit events: %+v", got)
	}
}

// docs/security.md S62: after the main flows (possession link, contact
// change by link, spoken and postal codes, login), no message in the outbox, read
// before any is used and scrubbed, nor the postal letter asks the customer
// to pass a code on.
func TestNoSentMessageAsksToTellACode(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	bodies := map[int64]string{}
	snapshot := func() {
		for _, m := range a.outbox() {
			if _, seen := bodies[m.ID]; !seen {
				bodies[m.ID] = m.Subject + "\n" + m.Body
			}
		}
	}
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-sms"), "phone")
	agent.post(kase+"/verify/possession", url.Values{"channel": {"sms"}})
	snapshot()
	a.answerLink(a.lastLink("090-0000-0002"), "yes")
	sendContact(t, agent, kase, "email", "new-address@example.jp")
	snapshot()
	agent.get(kase)
	agent.post(kase+"/verify/spoken", url.Values{"channel": {"sms"}})
	agent.get(kase)
	agent.post(kase+"/verify/postal", nil)
	a.newClient().login("demo-email", demoPassword)
	snapshot()

	links, codes := 0, 0
	for id, body := range bodies {
		if strings.Contains(body, "/verify/") {
			links++
		}
		if sixDigits.MatchString(body) {
			codes++
		}
		if got := notify.AsksToTellCode(body); got != "" {
			t.Errorf("message %d asks to pass a code on: %q", id, got)
		}
	}
	if links != 2 || codes < 2 {
		t.Fatalf("the flows did not run: %d links, %d codes in %d messages", links, codes, len(bodies))
	}
	letters, err := a.DB.PostalLetters(context.Background(), a.customerID("demo-sms"))
	if err != nil || len(letters) != 1 {
		t.Fatalf("postal letters: %d %v", len(letters), err)
	}
	if got := notify.AsksToTellCode(a.letterBody(letters[0])); got != "" {
		t.Errorf("postal letter asks to pass a code on: %q", got)
	}
}
