package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The console keeps a staff member and their session in the read cache
// between requests; every change to either, made through the console, by
// another of their sessions or on the command line (another process), is
// seen by the very next request exactly as when both were read from
// SQLite each time (docs/security.md S29, S70).
func TestConsoleSeesStaffChangesAtNextRequest(t *testing.T) {
	t.Parallel()
	loggedOut := func(t *testing.T, c *client) {
		t.Helper()
		if p := c.get("/console"); p.location != "/console/login" {
			t.Errorf("the session survived: %d %q", p.status, p.location)
		}
	}
	// byAdmin has an admin post a form of the staff page.
	byAdmin := func(a *testApp, path string, form url.Values) {
		admin := a.staffLogin("admin")
		admin.get("/console/staff")
		admin.post(path, form)
	}
	agentPath := func(a *testApp, action string) string { return "/console/staff/" + a.staffID("agent") + "/" + action }
	tests := []struct {
		name string
		// change is made while agent's session and staff row are cached;
		// it checks agent's next request.
		change func(t *testing.T, a *testApp, agent *client)
	}{
		{"deactivated by an admin", func(t *testing.T, a *testApp, agent *client) {
			byAdmin(a, agentPath(a, "deactivate"), nil)
			loggedOut(t, agent)
		}},
		{"role changed", func(t *testing.T, a *testApp, agent *client) {
			byAdmin(a, agentPath(a, "role"), url.Values{"role": {"auditor"}, "org": {"compliance"}})
			if p := agent.get("/console/customers"); p.status != http.StatusForbidden {
				t.Errorf("search after the role was removed: %d", p.status)
			}
		}},
		{"organisation changed", func(t *testing.T, a *testApp, agent *client) {
			byAdmin(a, agentPath(a, "role"), url.Values{"role": {"agent"}, "org": {"compliance"}})
			if p := agent.get("/console"); !strings.Contains(p.text("console-user"), "コンプライアンス部") {
				t.Errorf("header after the move: %q", p.text("console-user"))
			}
		}},
		{"organisation renamed", func(t *testing.T, a *testApp, agent *client) {
			byAdmin(a, "/console/organisations/support/name", url.Values{"name": {"お客さまセンター"}})
			if p := agent.get("/console"); !strings.Contains(p.text("console-user"), "お客さまセンター") {
				t.Errorf("header after the rename: %q", p.text("console-user"))
			}
		}},
		{"password reset by an admin", func(t *testing.T, a *testApp, agent *client) {
			resetPassword(a, a.staffLogin("admin"), "agent")
			loggedOut(t, agent)
		}},
		{"forced password change done", func(t *testing.T, a *testApp, _ *client) {
			temporary := resetPassword(a, a.staffLogin("admin"), "agent").text("temporary-password")
			c, _ := staffLoginWith(t, a, "agent", temporary, demoTOTPSecret)
			for range 2 {
				if p := c.get("/console"); p.location != mustChange {
					t.Fatalf("before the change: %d %q", p.status, p.location)
				}
			}
			changeOwnPassword(c, temporary, ownStaffPassword)
			if p := c.get("/console"); p.status != http.StatusOK {
				t.Errorf("after the change: %d %q", p.status, p.location)
			}
		}},
		{"authenticator reset by an admin", func(t *testing.T, a *testApp, agent *client) {
			byAdmin(a, agentPath(a, "totp/reset"), nil)
			loggedOut(t, agent)
		}},
		{"logged out", func(t *testing.T, a *testApp, agent *client) {
			// The same cookie, kept by someone who copied it before the logout.
			kept := a.newClient()
			u, _ := url.Parse(a.srv.URL + "/console/")
			kept.http.Jar.SetCookies(u, agent.http.Jar.Cookies(u))
			if p := kept.get("/console"); p.status != http.StatusOK {
				t.Fatalf("the copied cookie: %d %q", p.status, p.location)
			}
			agent.post("/console/logout", nil)
			loggedOut(t, kept)
		}},
		{"ended by another session's password change", func(t *testing.T, a *testApp, agent *client) {
			other := a.staffLogin("agent")
			other.get(staffPasswordPath)
			changeOwnPassword(other, demoStaffPassword, ownStaffPassword)
			loggedOut(t, agent)
		}},
		{"password reset on the command line", func(t *testing.T, a *testApp, agent *client) {
			agent.get("/console") // cached just before the other process's change
			if _, err := a.runConsoleCommand("staff", "reset-password", "--login", "agent"); err != nil {
				t.Fatal(err)
			}
			loggedOut(t, agent)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			agent := a.staffLogin("agent")
			agent.get("/console") // the second read: from the cache
			hits, _ := a.DB.ReadCacheStats()
			if p := agent.get("/console"); p.status != http.StatusOK {
				t.Fatalf("GET /console: %d", p.status)
			}
			// On PostgreSQL the cache is off and every read is fresh.
			if after, _ := a.DB.ReadCacheStats(); a.DB.ReadCacheOn() && after < hits+2 {
				t.Fatalf("the page read its session and staff member from SQLite (%d cache hits): the test would prove nothing", after-hits)
			}
			tt.change(t, a, agent)
		})
	}
}
