package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// Staff passwords (docs/operations.md, "Staff accounts"; docs/security.md S68).

// ownStaffPassword is a password a staff member chooses in these tests.
const ownStaffPassword = "tsuki no hikari 2025"

const staffPasswordPath = "/console/account/password"

// changeOwnPassword submits the password page of a logged-in client.
func changeOwnPassword(c *client, current, next string) *page {
	c.get(staffPasswordPath)
	return c.post(staffPasswordPath, url.Values{"current_password": {current}, "new_password": {next},
		"new_password_confirm": {next}})
}

// cliStaff creates a staff member on the command line and returns the
// initial password it printed.
func cliStaff(t *testing.T, a *testApp, login, role string) string {
	t.Helper()
	out, err := a.runConsoleCommand("staff", "create", "--login", login, "--role", role, "--org", "support")
	m := initialPassword.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("staff create: %v %q", err, out)
	}
	return m[1]
}

// passwordStepWith does the console's password step from a fresh browser
// with this password, at a new TOTP step.
func passwordStepWith(t *testing.T, a *testApp, login, password string) *client {
	t.Helper()
	a.clock.Advance(30 * time.Second)
	c := a.newClient()
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {login}, "password": {password}}); p.location != "/console/login/totp" {
		t.Fatalf("%s password step: %d %q", login, p.status, p.location)
	}
	return c
}

// staffLoginWith logs a staff member in with a password and their
// authenticator's secret, and returns where the TOTP step sent them.
func staffLoginWith(t *testing.T, a *testApp, login, password, secret string) (*client, string) {
	t.Helper()
	c := passwordStepWith(t, a, login, password)
	c.get("/console/login/totp")
	code, err := totpCodeForTest(secret, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c, c.post("/console/login/totp", url.Values{"code": {code}}).location
}

const mustChange = staffPasswordPath + "?notice=required"

// A new staff member reaches nothing but the password page (and logout)
// until they replace the initial password: every console route, whether
// the policy allows it to their role or not, sends them there.
func TestForcedPasswordChangeBeforeAnyOtherPage(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	initial := cliStaff(t, a, "yamada", "agent")
	c, secret := enrolStaff(t, a, "yamada", initial)
	for _, r := range consoleRoutes(a) {
		method, pattern, _ := strings.Cut(r, " ")
		if pattern == staffPasswordPath || pattern == "/console/logout" {
			continue
		}
		path := strings.Replace(pattern, ":id", "1", 1)
		var p *page
		if method == http.MethodGet {
			p = c.get(path)
		} else {
			c.get(staffPasswordPath) // a fresh CSRF token
			p = c.post(path, url.Values{})
		}
		if p.status != http.StatusSeeOther || p.location != mustChange {
			t.Errorf("%s: %d %q, want the password page", r, p.status, p.location)
		}
	}
	p := c.get(staffPasswordPath)
	if p.status != http.StatusOK || !p.has("password-change-required") {
		t.Fatalf("password page: %d", p.status)
	}
	if find(p.doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "/console/customers" }) != nil {
		t.Error("the menu offers pages that do not open")
	}
	// A second session of the same staff member, to be ended by the change.
	other, where := staffLoginWith(t, a, "yamada", initial, secret)
	if where != "/console" || other.get("/console").location != mustChange {
		t.Fatalf("second session: %q", where)
	}

	for _, tt := range []struct {
		name   string
		form   url.Values
		status int
		field  string
	}{
		{"wrong current", url.Values{"current_password": {"not-the-one"}, "new_password": {ownStaffPassword},
			"new_password_confirm": {ownStaffPassword}}, http.StatusUnauthorized, "current_password"},
		{"same as the initial", url.Values{"current_password": {initial}, "new_password": {initial},
			"new_password_confirm": {initial}}, http.StatusUnprocessableEntity, "new_password"},
		{"common", url.Values{"current_password": {initial}, "new_password": {"password1"},
			"new_password_confirm": {"password1"}}, http.StatusUnprocessableEntity, "new_password"},
		{"mismatch", url.Values{"current_password": {initial}, "new_password": {ownStaffPassword},
			"new_password_confirm": {ownStaffPassword + "x"}}, http.StatusUnprocessableEntity, "new_password_confirm"},
	} {
		c.get(staffPasswordPath)
		p := c.post(staffPasswordPath, tt.form)
		if p.status != tt.status || !p.has(tt.field+"-error") {
			t.Errorf("%s: %d, want %d with %s's error", tt.name, p.status, tt.status, tt.field)
		}
	}
	if got := a.auditEventsOf("staff.password_change"); !slices.Equal(got, []string{"bad_password"}) {
		t.Errorf("refusals audited as %v", got)
	}
	if p := c.get("/console"); p.location != mustChange {
		t.Fatalf("a refused change let the staff member through: %q", p.location)
	}

	if p := changeOwnPassword(c, initial, ownStaffPassword); p.location != "/console" {
		t.Fatalf("change: %d %q", p.status, p.location)
	}
	if p := c.get("/console"); p.status != http.StatusOK {
		t.Errorf("after the change: %d %q", p.status, p.location)
	}
	if p := other.get("/console"); p.location != "/console/login" {
		t.Errorf("the other session survived the change: %d %q", p.status, p.location)
	}
	if d := a.auditDetails("staff.password_change"); len(d) != 2 || d[0] != "forced=true" {
		t.Errorf("change audited as %v", d)
	}
	if !passwordRefused(a, "yamada", initial) {
		t.Error("the initial password still logs in")
	}
	if _, where := staffLoginWith(t, a, "yamada", ownStaffPassword, secret); where != "/console" {
		t.Errorf("the new password: %q", where)
	}
}

// Every staff member changes their own password with the current one;
// wrong current passwords count under the login's limit.
func TestStaffChangesOwnPassword(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	other := a.staffLogin("agent")
	if p := agent.get(staffPasswordPath); p.status != http.StatusOK || p.has("password-change-required") || !p.has("nav-"+staffPasswordPath) {
		t.Fatalf("password page: %d, or not in the menu", p.status)
	}
	if p := changeOwnPassword(agent, demoStaffPassword, ownStaffPassword); p.location != staffPasswordPath+"?notice=changed" {
		t.Fatalf("change: %d %q", p.status, p.location)
	}
	if p := agent.get("/console"); p.status != http.StatusOK {
		t.Errorf("the changing session ended: %d", p.status)
	}
	if p := other.get("/console"); p.location != "/console/login" {
		t.Errorf("the other session survived: %d %q", p.status, p.location)
	}
	if d := a.auditDetails("staff.password_change"); len(d) != 1 || d[0] != "forced=false" {
		t.Errorf("audited as %v", d)
	}
	// Five wrong current passwords (the per-account limit) and the right
	// one is refused too, on this form and at login: one count.
	for i := 0; i < 5; i++ {
		if p := changeOwnPassword(agent, "wrong password", "another good one 2025"); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong current %d: %d", i, p.status)
		}
	}
	if p := changeOwnPassword(agent, ownStaffPassword, "another good one 2025"); p.status != http.StatusUnauthorized {
		t.Errorf("throttled change: %d", p.status)
	}
	c := a.newClient()
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {ownStaffPassword}}); p.status != http.StatusUnauthorized {
		t.Errorf("login after the form's failures: %d %q", p.status, p.location)
	}
	if got := a.auditEventsOf("staff.password_change"); !slices.Contains(got, "throttled") {
		t.Errorf("throttled change not audited: %v", got)
	}
}

// Parallel wrong current passwords hash at most the per-account limit
// between them: each try is reserved before its hash.
func TestStaffPasswordChangeGuessesReservedInParallel(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	agent.get(staffPasswordPath)
	before := a.MFA.PasswordHashes()
	const n = 12
	start := make(chan struct{})
	statuses := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() {
			<-start
			statuses <- agent.post(staffPasswordPath, url.Values{"current_password": {"wrong password"},
				"new_password": {ownStaffPassword}, "new_password_confirm": {ownStaffPassword}}).status
		}()
	}
	close(start)
	for i := 0; i < n; i++ {
		if s := <-statuses; s != http.StatusUnauthorized {
			t.Errorf("try %d: %d", i, s)
		}
	}
	if hashed := a.MFA.PasswordHashes() - before; hashed > 5 {
		t.Errorf("%d wrong current passwords hashed, want at most 5", hashed)
	}
}

var temporaryPassword = regexp.MustCompile(`temporary password \(shown once\): (\S+)`)

// The operator resets a password on the command line (the only admin
// who forgot theirs has nobody else to do it): shown once, sessions
// ended, audited as the system's, a new password at the next login.
func TestStaffResetPasswordCommand(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	out, err := a.runConsoleCommand("staff", "reset-password", "--login", "Admin")
	m := temporaryPassword.FindStringSubmatch(out)
	if err != nil || m == nil || len(m[1]) != 16 {
		t.Fatalf("reset-password: %v %q", err, out)
	}
	if p := admin.get("/console"); p.location != "/console/login" {
		t.Errorf("the admin's session survived: %d %q", p.status, p.location)
	}
	events, err := a.DB.AuditEvents(context.Background(), dataFilter("staff.password_reset"))
	if err != nil || len(events) != 1 || events[0].ActorKind != "system" || events[0].Actor != "cli" || strings.Contains(events[0].Detail, m[1]) {
		t.Fatalf("audited as %+v (%v)", events, err)
	}
	c, where := staffLoginWith(t, a, "admin", m[1], demoTOTPSecret)
	if where != "/console" || c.get("/console/staff").location != mustChange {
		t.Errorf("login with the temporary password: %q", where)
	}
	if _, err := a.runConsoleCommand("staff", "reset-password", "--login", "nobody"); err == nil {
		t.Error("reset of an unknown staff member")
	}
}

// A passkey logs in without the password, and still meets the forced
// change: it is a state of the account, not of the login step.
func TestPasskeyLoginCannotSkipForcedPasswordChange(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	key := newSoftKey()
	key.mustRegisterStaff(t, a, "agent")
	temporary := resetPassword(a, a.staffLogin("admin"), "agent").text("temporary-password")
	c, status, out := key.staffPasskeyLogin(t, a)
	if status != http.StatusOK || out["ok"] != true {
		t.Fatalf("passkey login: %d %v", status, out)
	}
	if p := c.get("/console"); p.location != mustChange {
		t.Fatalf("passkey session skipped the change: %d %q", p.status, p.location)
	}
	if p := changeOwnPassword(c, temporary, ownStaffPassword); p.location != "/console" {
		t.Errorf("change: %d %q", p.status, p.location)
	}
}
