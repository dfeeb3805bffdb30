package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mfadesk/notify"
)

// sendContact enters a new contact on the case and checks a link went to
// it, awaiting the customer.
func sendContact(t *testing.T, c *client, kase, kind, value string) {
	t.Helper()
	c.get(kase)
	if p := c.post(kase+"/contact/send", url.Values{"kind": {kind}, "value": {value}}); p.location != kase+"?notice=contact_code_sent" {
		t.Fatalf("send contact link: %d %q", p.status, p.location)
	}
	if p := c.get(kase); !p.has("contact-confirm-"+kind) || !p.has("contact-waiting-"+kind) {
		t.Fatal("the case page does not show the link awaiting the customer")
	}
}

// confirmContact has the customer confirm the link sent to to, then the
// staff member make the change.
func confirmContact(t *testing.T, a *testApp, c *client, kase, kind, to string) *page {
	t.Helper()
	if p := a.answerLink(a.lastLink(to), "yes"); p.status != http.StatusOK || !p.has("link-done") {
		t.Fatalf("customer confirms the contact link: %d", p.status)
	}
	if !c.get(kase).has("contact-confirmed-" + kind) {
		t.Fatal("the case page does not show the customer's confirmation")
	}
	return c.post(kase+"/contact/confirm", url.Values{"kind": {kind}})
}

// A supervisor changes a customer's email: the old address stays in use
// until the customer confirms the link sent to the new one; then the new one
// replaces it, the old one is told, withdrawals are held, the customer's
// sessions end, and the change is audited as the supervisor's.
func TestContactChangeLeavesOldContactUntilConfirmed(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c, kase := strongCase(t, a, "supervisor", "demo-email")
	const newAddr = "suzuki.new@example.jp"
	if p := c.post(kase+"/contact/send", url.Values{"kind": {"email"}, "value": {"not an address"}}); p.location != kase+"?notice=bad_contact" {
		t.Fatalf("bad address: %q", p.location)
	}
	sendContact(t, c, kase, "email", newAddr)

	// Until the customer confirms, the old address is theirs.
	if cu := a.customer("demo-email"); cu.Email != "demo-email@example.jp" {
		t.Fatalf("email changed before the confirmation: %q", cu.Email)
	}
	customer := pendingClient(t, a, "demo-email")
	if p := customer.submitCode(a.lastCode("demo-email@example.jp")); p.location != "/home" {
		t.Fatalf("login code to the old address: %d %q", p.status, p.location)
	}
	c.get(kase)
	if p := c.post(kase+"/contact/confirm", url.Values{"kind": {"email"}}); p.location != kase+"?notice=contact_not_confirmed" {
		t.Fatalf("change before the customer confirmed: %q", p.location)
	}
	if cu := a.customer("demo-email"); cu.Email != "demo-email@example.jp" {
		t.Fatalf("email changed without the confirmation: %q", cu.Email)
	}

	if p := confirmContact(t, a, c, kase, "email", newAddr); p.location != kase+"?notice=contact_changed" {
		t.Fatalf("confirm: %q", p.location)
	}
	cu := a.customer("demo-email")
	if cu.Email != newAddr || !cu.HasValidEmail() {
		t.Errorf("email after the change: %q %q", cu.Email, cu.EmailStatus)
	}
	if cu.WithdrawalHoldReason != "contact_change" || !cu.WithdrawalHoldUntil.After(a.clock.Now().Add(71*time.Hour)) {
		t.Errorf("hold %q until %v", cu.WithdrawalHoldReason, cu.WithdrawalHoldUntil)
	}
	told := false
	for _, m := range a.outbox() {
		told = told || m.To == "demo-email@example.jp" && strings.Contains(m.Subject, "変更されました")
	}
	if !told {
		t.Error("the old address was not told")
	}
	if p := customer.get("/home"); p.location != "/login" {
		t.Errorf("customer's session survived the change: %d %q", p.status, p.location)
	}
	assertLastAudit(t, a, "contact.change", "success", "supervisor")
	if d := a.auditDetails("contact.change")[0]; strings.Contains(d, newAddr) {
		t.Errorf("audit shows the address unmasked: %q", d)
	}
}

// An agent's contact change waits for approval even after the customer
// confirmed the link; approval makes it, rejection leaves the old contact.
func TestContactChangeByAgentNeedsApproval(t *testing.T) {
	t.Parallel()
	for _, approve := range []bool{true, false} {
		a := newConsoleApp(t)
		agent, kase := strongCase(t, a, "agent", "demo-email")
		sendContact(t, agent, kase, "phone", "０８０−１２３４−５６７８")
		if p := confirmContact(t, a, agent, kase, "phone", "080-1234-5678"); p.location != kase+"?notice=contact_requested" {
			t.Fatalf("confirm: %q", p.location)
		}
		if cu := a.customer("demo-email"); cu.Phone != "" || cu.WithdrawalHoldReason != "" {
			t.Fatalf("changed before approval: %q %q", cu.Phone, cu.WithdrawalHoldReason)
		}
		sup := a.staffLogin("supervisor")
		id := onlyRequest(t, sup)
		if !approve {
			if p := sup.decide(id, "reject", url.Values{"reason": {"本人確認の記録が不十分"}}); p.location != "/console/requests?notice=rejected" {
				t.Fatalf("reject: %q", p.location)
			}
			if cu := a.customer("demo-email"); cu.Phone != "" {
				t.Errorf("rejected change applied: %q", cu.Phone)
			}
			continue
		}
		if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
			t.Fatalf("approve: %q", p.location)
		}
		cu := a.customer("demo-email")
		if cu.Phone != "+818012345678" || !cu.PhoneVerified || cu.WithdrawalHoldReason != "contact_change" {
			t.Errorf("after approval: phone %q verified %v hold %q", cu.Phone, cu.PhoneVerified, cu.WithdrawalHoldReason)
		}
		assertLastAudit(t, a, "contact.change", "success", "supervisor")
	}
}

// A customer with no valid email is locked out from email_required_from;
// a supervisor who verifies them by post (the customer types the letter's
// code at /verify/post) adds an address, confirmed by a link, and the
// customer can log in again.
func TestContactChangeLetsCustomerWithoutEmailBackIn(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	blocked := a.newClient()
	if p := blocked.login("demo-noemail", demoPassword); p.status != http.StatusForbidden || !p.has("blocked") {
		t.Fatalf("customer without email: %d %q", p.status, p.location)
	}
	c := a.staffLogin("supervisor")
	kase := c.openCase(a.customerID("demo-noemail"), "phone")
	c.post(kase+"/verify/postal", nil)
	code := a.letterCode("demo-noemail")
	letter := a.newClient()
	letter.get("/verify/post")
	if p := letter.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {code}}); !p.has("post-done") {
		t.Fatalf("postal code typed by the customer: %d %s", p.status, p.text("code-error"))
	}
	sendContact(t, c, kase, "email", "takahashi@example.jp")
	if p := confirmContact(t, a, c, kase, "email", "takahashi@example.jp"); p.location != kase+"?notice=contact_changed" {
		t.Fatalf("confirm: %q", p.location)
	}
	customer := pendingClient(t, a, "demo-noemail")
	if p := customer.submitCode(a.lastCode("takahashi@example.jp")); p.location != "/home" {
		t.Errorf("login after the address was added: %d %q", p.status, p.location)
	}
}

// The message to the new contact carries a link and no code, and asks
// nobody to pass anything on: the customer confirms on the page the link
// opens, so nothing is read back to the staff member. A "no" there voids
// the link and the change cannot be made.
func TestContactChangeMessageIsALinkNotACode(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"email", "phone"} {
		a := newConsoleApp(t)
		c, kase := strongCase(t, a, "supervisor", "demo-email")
		to := map[string]string{"email": "suzuki.new@example.jp", "phone": "080-1234-5678"}[kind]
		sendContact(t, c, kase, kind, to)
		stored := map[string]string{"email": to, "phone": "+818012345678"}[kind]
		var body string
		for _, m := range a.outbox() {
			if m.To == stored {
				body = m.Subject + "\n" + m.Body
			}
		}
		if !linkPath.MatchString(body) || sixDigits.MatchString(body) {
			t.Fatalf("%s: the message should carry a link and no code: %q", kind, body)
		}
		if got := notify.AsksToTellCode(body); got != "" {
			t.Errorf("%s: the message asks to pass something on: %q", kind, got)
		}
		if kind == "phone" {
			if p := a.answerLink(a.lastLink(to), "no"); p.status != http.StatusOK {
				t.Fatalf("customer says no: %d", p.status)
			}
			c.get(kase)
			if p := c.post(kase+"/contact/confirm", url.Values{"kind": {kind}}); p.location == kase+"?notice=contact_changed" {
				t.Fatal("the change went ahead after the customer said no")
			}
			if cu := a.customer("demo-email"); cu.Phone != "" {
				t.Errorf("phone changed after a no: %q", cu.Phone)
			}
			continue
		}
		if p := confirmContact(t, a, c, kase, kind, to); p.location != kase+"?notice=contact_changed" {
			t.Fatalf("confirm: %q", p.location)
		}
		if cu := a.customer("demo-email"); cu.Email != to {
			t.Errorf("email after the change: %q", cu.Email)
		}
		if p := a.newClient().get(linkPath.FindString(body)); p.status != http.StatusNotFound {
			t.Errorf("the used link still opens: %d", p.status)
		}
	}
}
