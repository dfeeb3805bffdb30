package main

import (
	"context"
	"mfadesk/support"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A call-centre supervisor can neither open a shop case nor record a
// document check (a self-attested "in person" check, then a reset, with no
// customer present); a partner at its shop can. The channel follows the
// staff member's organisation, whatever the form says.
func TestCaseChannelFollowsOrganisation(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	sup := a.staffLogin("supervisor")
	id := strconv.FormatInt(a.customerID("demo-sms"), 10)
	search := sup.get("/console/customers?q=1000002")
	if find(search.doc, func(n *html.Node) bool { return n.Data == "select" && attr(n, "name") == "channel" }) != nil {
		t.Error("the call centre's open-case form still offers a choice of channel")
	}
	p := sup.post("/console/cases", url.Values{"customer_id": {id}, "channel": {"shop"}, "reason": {"来店"}})
	if p.status != http.StatusUnprocessableEntity || p.text("error-message") == "" {
		t.Fatalf("supervisor opening a shop case: %d %q", p.status, p.text("error-message"))
	}
	if got := a.auditEventsOf("case.open"); len(got) != 1 || got[0] != "refused:channel" {
		t.Fatalf("case.open audit outcomes %v, want one refused:channel", got)
	}
	if d := a.auditDetails("case.open"); !strings.Contains(d[0], `channel="shop"`) {
		t.Errorf("refusal detail %q does not name the channel asked for", d[0])
	}
	for _, ch := range []string{"chat", "email"} {
		if p := sup.post("/console/cases", url.Values{"customer_id": {id}, "channel": {ch}, "reason": {"x"}}); p.status != http.StatusUnprocessableEntity {
			t.Errorf("supervisor opening a %s case: %d", ch, p.status)
		}
	}

	kase := sup.openCase(a.customerID("demo-sms"), "") // the form sends no channel
	k, err := a.DB.CaseByID(context.Background(), caseID(t, kase))
	if err != nil || k.Channel != support.ChannelPhone {
		t.Fatalf("the supervisor's case: %+v %v, want a phone case", k, err)
	}
	if sup.get(kase).has("document-form") {
		t.Error("the document form is offered on a call centre's case")
	}
	if p := sup.post(kase+"/verify/document", url.Values{"document_type": {"license"}, "checked": {"on"}}); p.location != kase+"?notice=not_in_person" {
		t.Fatalf("supervisor recording a document: %q", p.location)
	}
	if got := a.auditEventsOf("case.verify.document"); len(got) != 1 || got[0] != "refused:not_in_person" {
		t.Errorf("document audit outcomes %v, want one refused:not_in_person", got)
	}

	partner := a.staffLogin("partner")
	shop := partnerCase(t, partner)
	if k, _ := a.DB.CaseByID(context.Background(), caseID(t, shop)); k.Channel != support.ChannelShop {
		t.Fatalf("the partner's case channel %q, want shop", k.Channel)
	}
	if !partner.get(shop).has("document-form") {
		t.Error("no document form on the partner's shop case")
	}
	document(t, partner, shop)
	form := url.Values{"account_number": {"1000002"}, "birth_date": {"1948-11-23"}, "reason": {"x"}, "channel": {"phone"}}
	if p := partner.post("/console/partner/cases", form); p.status != http.StatusUnprocessableEntity {
		t.Errorf("partner forging a phone case: %d", p.status)
	}

	// An admin of the call centre may open the partner's case, and still
	// attests no document on it: the check follows who records it.
	admin := a.staffLogin("admin")
	if admin.get(shop).has("document-form") {
		t.Error("the document form is offered to the call centre's admin")
	}
	if p := admin.post(shop+"/verify/document", url.Values{"document_type": {"license"}, "checked": {"on"}}); p.location != shop+"?notice=not_in_person" {
		t.Errorf("admin recording a document on a shop case: %q", p.location)
	}
}

// A partner's case page shows only the messages of the partner's own
// cases, never the codes and notices another organisation sent the
// customer; the call centre keeps the whole history.
func TestPartnerDeliveryLogOnlyOwnCases(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	agentCase := agent.openCase(a.customerID("demo-sms"), "phone")
	possession(t, a, agent, agentCase, "demo-sms") // a code by email on the agent's case

	partner := a.staffLogin("partner")
	shop := partnerCase(t, partner)
	if rows := partner.get(shop).all("delivery-row"); len(rows) != 0 {
		t.Fatalf("partner sees %d deliveries of other cases", len(rows))
	}
	partner.get(shop)
	if p := partner.post(shop+"/verify/possession", url.Values{"channel": {"sms"}}); p.location != shop+"?notice=link_sent" {
		t.Fatalf("partner sending a link: %q", p.location)
	}
	rows := partner.get(shop).all("delivery-row")
	if len(rows) != 1 || attr(rows[0], "data-channel") != "sms" || attr(rows[0], "data-kind") != "support_verification" {
		t.Fatalf("partner's delivery log: %d rows, want only their own SMS code", len(rows))
	}
	channels := map[string]bool{}
	for _, r := range agent.get(agentCase).all("delivery-row") {
		channels[attr(r, "data-channel")] = true
	}
	if !channels["sms"] || !channels["email"] {
		t.Errorf("the agent's delivery log lacks a case's message: %v", channels)
	}
}
