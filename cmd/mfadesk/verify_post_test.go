package main

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"mfadesk/data"
)

// postalLetterCode has support send a letter on a new case for loginID
// and returns the staff client, the case path and the letter's code.
func postalLetterCode(t *testing.T, a *testApp, loginID string) (*client, string, string) {
	t.Helper()
	c := a.staffLogin("supervisor")
	kase := c.openCase(a.customerID(loginID), "phone")
	c.post(kase+"/verify/postal", nil)
	if body := a.letterBody(a.newestLetter(loginID)); !strings.Contains(body, a.Config.Origin+"/verify/post") {
		t.Fatalf("the letter does not name the page to type the code on: %q", body)
	}
	return c, kase, a.letterCode(loginID)
}

func caseStrength(c *client, kase string) string {
	return attr(c.get(kase).byTestID("case-strength"), "data-strength")
}

// The customer types a letter's code on /verify/post themselves (nobody
// reads it to anyone); a match makes the case's verification strong.
func TestPostalCodeTypedByTheCustomer(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	staff, kase, code := postalLetterCode(t, a, "demo-noemail")
	if s := caseStrength(staff, kase); s == "strong" {
		t.Fatal("case strong before the code was typed")
	}
	customer := a.newClient()
	customer.get("/verify/post")
	p := customer.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {code}})
	if p.status != http.StatusOK || !p.has("post-done") {
		t.Fatalf("typing the letter's code: %d %s", p.status, p.text("code-error"))
	}
	if s := caseStrength(staff, kase); s != "strong" {
		t.Fatalf("case strength after the customer typed the code: %q", s)
	}
	// Used once: the same code again is refused like any wrong code.
	customer.get("/verify/post")
	if p := customer.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {code}}); p.status != http.StatusUnauthorized {
		t.Fatalf("code used twice: %d", p.status)
	}
}

// An unknown login ID, a wrong code and a customer with no letter get the
// same answer, and each try is audited.
func TestPostalCodeRefusalsAlike(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	_, _, code := postalLetterCode(t, a, "demo-noemail")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	var bodies []string
	for _, form := range []url.Values{
		{"login_id": {"no-such-customer"}, "code": {code}},
		{"login_id": {"demo-noemail"}, "code": {wrong}},
		{"login_id": {"demo-sms"}, "code": {code}},
	} {
		c := a.newClient()
		c.get("/verify/post")
		p := c.post("/verify/post", form)
		if p.status != http.StatusUnauthorized {
			t.Fatalf("%v: %d", form, p.status)
		}
		bodies = append(bodies, p.text("code-error"))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] || b == "" {
			t.Fatalf("refusals differ: %q", bodies)
		}
	}
	events, err := a.DB.AuditEvents(t.Context(), data.AuditFilter{Action: "case.verify.postal", Limit: 50})
	if err != nil || len(events) != 3 {
		t.Fatalf("postal tries audited: %d %v", len(events), err)
	}
	for _, e := range events {
		if e.Outcome == "passed" || strings.Contains(e.Detail, code) || strings.Contains(e.Detail, wrong) {
			t.Errorf("audit event %+v", e)
		}
	}
}

// Guessing a letter's code is bounded per login ID, in parallel too (tries
// past the limit are not even checked), and the letter's own tries: after
// them even the right code is refused.
func TestPostalCodeGuessesLimited(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	_, _, code := postalLetterCode(t, a, "demo-noemail")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	clients := make([]*client, 12)
	for i := range clients {
		clients[i] = a.newClient()
		clients[i].get("/verify/post")
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {wrong}})
		}()
	}
	close(start)
	wg.Wait()
	events, err := a.DB.AuditEvents(t.Context(), data.AuditFilter{Action: "case.verify.postal", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	throttled := 0
	for _, e := range events {
		if e.Outcome == "refused:throttled" {
			throttled++
		}
	}
	if throttled != len(clients)-5 {
		t.Errorf("%d of %d parallel tries throttled, want all past the 5 per login ID", throttled, len(clients))
	}
	c := a.newClient()
	c.get("/verify/post")
	if p := c.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {code}}); p.status != http.StatusUnauthorized {
		t.Fatalf("the right code after the limit: %d", p.status)
	}
}
