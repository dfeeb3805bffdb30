package main

import (
	"net/http"
	"testing"
)

// A session is the database's, not an instance's: started on A it serves
// pages on B, and ended on A (logout, a password change, a reset from the
// console) it is refused by B at its next request.
func TestMultiSessionAcrossInstances(t *testing.T) {
	apps := newInstances(t, multiDSN(t), 2)
	if _, err := seedDemoStaff(t.Context(), apps[0].App); err != nil {
		t.Fatal(err)
	}
	a, b := apps[0], apps[1]

	t.Run("started on A, served by B", func(t *testing.T) {
		c := loggedInClient(t, a, "demo-app")
		if p := c.on(b).get("/home"); p.status != http.StatusOK {
			t.Fatalf("session from A on B: %d %q", p.status, p.location)
		}
	})
	t.Run("logout on A", func(t *testing.T) {
		a.clock.Advance(31e9) // a new TOTP step: the replay guard refuses the last one
		c := loggedInClient(t, a, "demo-app")
		onB := c.on(b)
		onB.get("/home")
		token := c.cookie()
		if p := c.post("/logout", nil); p.location != "/login?notice=logout" {
			t.Fatalf("logout on A: %d %q", p.status, p.location)
		}
		replay := b.newClient()
		replay.http.Jar.SetCookies(mustURL(b.srv.URL), []*http.Cookie{{Name: "mfadesk", Value: token}})
		if p := replay.get("/home"); p.location != "/login" {
			t.Errorf("B still serves a session logged out on A: %d %q", p.status, p.location)
		}
	})
	t.Run("password change on A", func(t *testing.T) {
		other := pwLogin(t, b, "demo-email") // a browser left logged in, served by B
		other.get("/home")
		c := pwLogin(t, a, "demo-email")
		const newPW = "river stone maple 2026"
		if p := pwChange(c, "login", demoPassword, newPW, newPW); p.location != "/settings/password?notice=login" {
			t.Fatalf("change on A: %d %q", p.status, p.location)
		}
		if p := other.get("/home"); p.location != "/login" {
			t.Errorf("B still serves the other session after a password change on A: %d %q", p.status, p.location)
		}
		if p := c.on(b).get("/home"); p.status != http.StatusOK {
			t.Errorf("the session that made the change was ended: %d %q", p.status, p.location)
		}
	})
	t.Run("console reset on A", func(t *testing.T) {
		customer := loggedInClient(t, b, "demo-sms")
		customer.get("/home")
		staff, kase := strongCase(t, a, "supervisor", "demo-sms")
		if p := staff.post(kase+"/reset", nil); p.location != kase+"?notice=reset_done" {
			t.Fatalf("reset on A: %d %q", p.status, p.location)
		}
		if p := customer.get("/home"); p.location != "/login" {
			t.Errorf("B still serves the customer's session after a reset on A: %d %q", p.status, p.location)
		}
	})
}
