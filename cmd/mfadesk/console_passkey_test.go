package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"

	"mfadesk/data"
)

// Staff passkeys (docs/design.md §3), with the software authenticator
// of passkey_test.go.

// setStaffPasskeysRequired changes the console setting directly, for
// tests about what it does rather than who may change it.
func (a *testApp) setStaffPasskeysRequired(on bool) {
	a.t.Helper()
	ctx := context.Background()
	if err := a.DB.InTx(ctx, func(tx *data.Tx) error { return tx.SetStaffPasskeysRequired(ctx, on) }); err != nil {
		a.t.Fatal(err)
	}
}

// staffPasswordStep does the console's password step from a fresh browser.
func (a *testApp) staffPasswordStep(login string) *client {
	a.t.Helper()
	a.clock.Advance(30 * time.Second) // a new TOTP step: the replay guard never refuses a later code
	c := a.newClient()
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {login}, "password": {demoStaffPassword}}); p.location != "/console/login/totp" {
		a.t.Fatalf("%s password step: %d %q", login, p.status, p.location)
	}
	return c
}

// passkeySetupClient logs a staff member without a passkey in with
// password and TOTP while passkeys are required: the restricted session.
// The setting is put back as it was.
func (a *testApp) passkeySetupClient(login string) *client {
	a.t.Helper()
	before, err := a.DB.StaffPasskeysRequired(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	a.setStaffPasskeysRequired(true)
	defer a.setStaffPasskeysRequired(before)
	c := a.staffPasswordStep(login)
	if p := c.get("/console/login/totp"); !p.has("passkey-setup-next") {
		a.t.Fatal("TOTP page does not say that a passkey must be registered next")
	}
	if p := c.post("/console/login/totp", url.Values{"code": {a.totpNow(demoTOTPSecret)}}); p.location != "/console/account/passkeys?notice=required" {
		a.t.Fatalf("%s TOTP step with passkeys required: %d %q", login, p.status, p.location)
	}
	c.get("/console/account/passkeys")
	return c
}

// registerStaff adds the soft key as a passkey of the logged-in staff
// member; code is the TOTP code, needed when the session is not fresh.
func (k *softKey) registerStaff(t *testing.T, c *client, password, code string) (int, map[string]any) {
	t.Helper()
	c.get("/console/account/passkeys")
	status, _, body := c.passkeyPost("/console/account/passkeys/options", nil)
	if status != http.StatusOK {
		t.Fatalf("staff registration options: %d %s", status, body)
	}
	if !strings.Contains(body, `"residentKey":"required"`) || !strings.Contains(body, `"userVerification":"required"`) {
		t.Fatalf("staff registration does not require a discoverable credential with user verification: %s", body)
	}
	opts, err := virtualwebauthn.ParseAttestationOptions(body)
	if err != nil {
		t.Fatalf("parse attestation options: %v", err)
	}
	k.auth.Options.UserHandle = []byte(opts.UserID)
	resp := virtualwebauthn.CreateAttestationResponse(k.rp, k.auth, k.cred, *opts)
	form := url.Values{"credential": {resp}, "name": {"業務用スマートフォン"}, "password": {password}}
	if code != "" {
		form.Set("code", code)
	}
	status, out, _ := c.passkeyPost("/console/account/passkeys", form)
	if status == http.StatusOK && out["ok"] == true {
		k.auth.AddCredential(k.cred)
	}
	return status, out
}

// mustRegisterStaff registers the soft key for a freshly logged-in staff member.
func (k *softKey) mustRegisterStaff(t *testing.T, a *testApp, login string) *client {
	t.Helper()
	c := a.staffLogin(login)
	if status, out := k.registerStaff(t, c, demoStaffPassword, ""); status != http.StatusOK || out["redirect"] != "/console/account/passkeys?notice=added" {
		t.Fatalf("register staff passkey: %d %v", status, out)
	}
	return c
}

// staffPasskeyLogin logs in to the console with the passkey alone from a
// fresh browser.
func (k *softKey) staffPasskeyLogin(t *testing.T, a *testApp) (*client, int, map[string]any) {
	t.Helper()
	c := a.newClient()
	if p := c.get("/console/login"); !p.has("passkey-login") {
		t.Fatal("console login page has no passkey login")
	}
	status, _, body := c.passkeyPost("/console/login/passkey/options", nil)
	if status != http.StatusOK {
		t.Fatalf("staff login options: %d %s", status, body)
	}
	if strings.Contains(body, "allowCredentials") {
		t.Fatalf("staff passkey login options list credentials, revealing accounts: %s", body)
	}
	status, out, _ := c.passkeyPost("/console/login/passkey", url.Values{"credential": {k.assert(t, body)}})
	return c, status, out
}

// loggedInConsole reports whether the client reaches the console's start page.
func loggedInConsole(c *client) bool {
	p := c.get("/console")
	return p.status == http.StatusOK && p.has("console-user")
}

func TestStaffPasskeyRegisterAndLogin(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	key := newSoftKey()
	c := a.staffLogin("agent")
	p := c.get("/console/account/passkeys")
	if !p.has("passkey-register") || strings.Contains(p.body, `name="code"`) {
		t.Fatal("fresh session's page has no registration form, or asks for a code")
	}
	if !p.has("nav-/console/account/passkeys") {
		t.Fatal("menu has no link to the passkey page")
	}
	// The password is required.
	if status, out := key.registerStaff(t, c, "wrong password", ""); status == http.StatusOK || out["ok"] == true {
		t.Fatalf("registration with a wrong password: %d %v", status, out)
	}
	if status, out := key.registerStaff(t, c, demoStaffPassword, ""); status != http.StatusOK || out["redirect"] != "/console/account/passkeys?notice=added" {
		t.Fatalf("register: %d %v", status, out)
	}
	if p := c.get("/console/account/passkeys"); len(p.all("passkey-row")) != 1 || !strings.Contains(p.body, "業務用スマートフォン") {
		t.Fatal("registered passkey not listed by name")
	}
	if d := a.auditDetails("staff.passkey.add"); len(d) == 0 || !strings.Contains(d[0], "passkey=") {
		t.Fatalf("registration not audited: %v", d)
	}

	// The passkey alone logs in fully.
	l, status, out := key.staffPasskeyLogin(t, a)
	if status != http.StatusOK || out["redirect"] != "/console" {
		t.Fatalf("staff passkey login: %d %v", status, out)
	}
	if p := l.get("/console"); p.status != http.StatusOK || !strings.Contains(p.text("console-user"), "窓口 次郎") {
		t.Fatalf("console after passkey login: %d %q", p.status, p.text("console-user"))
	}
	if p := l.get("/console/customers"); p.status != http.StatusOK {
		t.Fatalf("agent page after passkey login: %d", p.status)
	}
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: "staff.login.passkey", Limit: 10})
	if err != nil || len(events) == 0 || events[0].Outcome != "success" || events[0].Actor != "agent" {
		t.Fatalf("passkey login not audited: %v %+v", err, events)
	}

	// After the password, the passkey stands for TOTP.
	pc := a.staffPasswordStep("agent")
	if p := pc.get("/console/login/totp"); !p.has("passkey-check") || !p.has("console-totp-form") {
		t.Fatal("second step does not offer both the passkey and TOTP")
	}
	status, _, body := pc.passkeyPost("/console/login/verify/passkey/options", nil)
	if status != http.StatusOK || !strings.Contains(body, "allowCredentials") {
		t.Fatalf("second-step options: %d %s", status, body)
	}
	status, out, _ = pc.passkeyPost("/console/login/verify/passkey", url.Values{"credential": {key.assert(t, body)}})
	if status != http.StatusOK || out["redirect"] != "/console" || !loggedInConsole(pc) {
		t.Fatalf("passkey as second step: %d %v", status, out)
	}

	// More than 5 minutes after the second factor, registering needs the
	// TOTP code again, and removing is refused.
	a.clock.Advance(6 * time.Minute)
	other := newSoftKey()
	p = c.get("/console/account/passkeys")
	if p.byTestID("passkey-register") == nil || !strings.Contains(p.body, `name="code"`) || !p.has("remove-needs-fresh") {
		t.Fatal("stale session's page does not ask for the code")
	}
	if status, out := other.registerStaff(t, c, demoStaffPassword, ""); status == http.StatusOK || out["ok"] == true {
		t.Fatalf("stale session registered without a code: %d %v", status, out)
	}
	if status, out := other.registerStaff(t, c, demoStaffPassword, a.totpNow(demoTOTPSecret)); status != http.StatusOK || out["ok"] != true {
		t.Fatalf("stale session with the code: %d %v", status, out)
	}
}

// What a staff passkey login must refuse.
func TestStaffPasskeyRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spoil func(k *softKey, a *testApp, t *testing.T)
	}{
		{"wrong origin", func(k *softKey, _ *testApp, _ *testing.T) { k.rp.Origin = "https://mfadesk-console.example" }},
		{"wrong RP ID", func(k *softKey, _ *testApp, _ *testing.T) { k.rp.ID = "mfadesk-console.example" }},
		{"user verification missing", func(k *softKey, _ *testApp, _ *testing.T) { k.auth.Options.UserNotVerified = true }},
		{"counter goes backwards", func(k *softKey, a *testApp, t *testing.T) {
			if _, status, _ := k.staffPasskeyLogin(t, a); status != http.StatusOK {
				t.Fatalf("first login: %d", status)
			}
			k.cred.Counter = 0 // a clone copied before the last use signs with an old counter
		}},
		{"removed", func(k *softKey, a *testApp, t *testing.T) {
			c := a.staffLogin("agent")
			var action string
			for _, f := range c.get("/console/account/passkeys").forms() {
				if strings.HasSuffix(attr(f, "action"), "/remove") {
					action = attr(f, "action")
				}
			}
			if p := c.post(action, nil); p.location != "/console/account/passkeys?notice=removed" {
				t.Fatalf("remove: %d %q", p.status, p.location)
			}
			if d := a.auditDetails("staff.passkey.remove"); len(d) != 1 {
				t.Fatalf("removal not audited: %v", d)
			}
		}},
		{"staff deactivated", func(_ *softKey, a *testApp, t *testing.T) {
			staffChange(t, a, "agent", "deactivate")
		}},
		{"second factor reset", func(_ *softKey, a *testApp, t *testing.T) {
			staffChange(t, a, "agent", "totp/reset")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			key := newSoftKey()
			key.mustRegisterStaff(t, a, "agent")
			tt.spoil(key, a, t)
			c, status, out := key.staffPasskeyLogin(t, a)
			if status == http.StatusOK || out["ok"] == true {
				t.Fatalf("staff passkey login passed: %d %v", status, out)
			}
			if loggedInConsole(c) {
				t.Fatal("refused passkey login left a logged-in console session")
			}
		})
	}
}

// staffChange does an admin change (deactivate, totp/reset) to a demo
// staff member and checks their passkeys are gone.
func staffChange(t *testing.T, a *testApp, login, change string) {
	t.Helper()
	st, err := a.DB.StaffByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	admin := a.staffLogin("admin")
	admin.get("/console/staff")
	if p := admin.post("/console/staff/"+itoaTest(st.ID)+"/"+change, nil); p.status != http.StatusSeeOther {
		t.Fatalf("%s: %d", change, p.status)
	}
	if keys, err := a.DB.StaffPasskeysOf(context.Background(), st.ID); err != nil || len(keys) != 0 {
		t.Fatalf("%s left %d passkeys (%v)", change, len(keys), err)
	}
}

func itoaTest(id int64) string { return strconv.FormatInt(id, 10) }

// Staff credentials never open the customer site, nor customers' the console.
func TestStaffAndCustomerPasskeysApart(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	customerKey := newSoftKey()
	customerKey.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	staffKey := newSoftKey()
	staffKey.mustRegisterStaff(t, a, "agent")

	c, status, out := customerKey.staffPasskeyLogin(t, a)
	if status == http.StatusOK || out["ok"] == true || loggedInConsole(c) {
		t.Fatalf("a customer's passkey logged in to the console: %d %v", status, out)
	}
	if events, _ := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: "staff.login.passkey", Limit: 10}); len(events) == 0 || events[0].Outcome != "unknown_credential" {
		t.Fatalf("refused console passkey not audited: %+v", events)
	}
	cc, status, out := staffKey.passkeyLogin(t, a)
	if status == http.StatusOK || out["ok"] == true {
		t.Fatalf("a staff passkey logged in to the customer site: %d %v", status, out)
	}
	if p := cc.get("/home"); p.status == http.StatusOK {
		t.Fatal("refused staff passkey left a customer session")
	}
	// Both still work where they belong.
	if _, status, _ := customerKey.passkeyLogin(t, a); status != http.StatusOK {
		t.Fatalf("customer passkey on the customer site: %d", status)
	}
	if _, status, _ := staffKey.staffPasskeyLogin(t, a); status != http.StatusOK {
		t.Fatalf("staff passkey on the console: %d", status)
	}
	// A staff passkey does not pass another staff member's second step.
	pc := a.staffPasswordStep("supervisor")
	pc.get("/console/login/totp")
	if status, _, body := pc.passkeyPost("/console/login/verify/passkey/options", nil); status == http.StatusOK {
		t.Fatalf("second-step options for a staff member without passkeys: %s", body)
	}
}

func TestStaffPasskeysRequiredSetting(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)

	// Only admins change the setting, and the change is audited.
	sup := a.staffLogin("supervisor")
	if p := sup.post("/console/staff/settings", url.Values{"require_passkeys": {"on"}}); p.status != http.StatusForbidden {
		t.Fatalf("supervisor changed the setting: %d", p.status)
	}
	admin := a.staffLogin("admin")
	if p := admin.get("/console/staff"); !p.has("staff-settings-form") || !p.has("nav-/console/reports") {
		t.Fatal("staff page has no settings form, or the menu no reports link")
	}
	if p := admin.post("/console/staff/settings", url.Values{"require_passkeys": {"on"}}); p.location != "/console/staff?notice=settings" {
		t.Fatalf("admin setting change: %d %q", p.status, p.location)
	}
	if on, err := a.DB.StaffPasskeysRequired(context.Background()); err != nil || !on {
		t.Fatalf("setting not on: %v %v", on, err)
	}
	if d := a.auditDetails("console.setting"); !slices.Contains(d, "require_staff_passkeys=false->true") {
		t.Fatalf("setting change not audited: %v", d)
	}

	// A staff member without a passkey: TOTP leads to the restricted
	// session, which reaches only registration and logout, and says why.
	r := a.passkeySetupClient("agent")
	a.setStaffPasskeysRequired(true) // the helper puts it back; this test keeps it on
	p := r.get("/console/account/passkeys?notice=required")
	if !p.has("passkey-setup-required") || !p.has("passkey-register") || !p.has("console-logout") {
		t.Fatal("restricted page does not explain or offer registration and logout")
	}
	for _, path := range []string{"/console", "/console/customers", "/console/cases", "/console/audit"} {
		if p := r.get(path); p.location != "/console/account/passkeys?notice=required" {
			t.Fatalf("restricted session reached %s: %d %q", path, p.status, p.location)
		}
	}
	r.get("/console/account/passkeys")
	if p := r.post("/console/cases", url.Values{"customer_id": {"1"}, "channel": {"phone"}}); p.status != http.StatusForbidden {
		t.Fatalf("restricted session opened a case: %d", p.status)
	}
	key := newSoftKey()
	if status, out := key.registerStaff(t, r, demoStaffPassword, ""); status != http.StatusOK || out["redirect"] != "/console/login?notice=passkey_added" {
		t.Fatalf("registration in the restricted session: %d %v", status, out)
	}
	if p := r.get("/console/account/passkeys"); p.location != "/console/login" {
		t.Fatalf("restricted session survived the registration: %d %q", p.status, p.location)
	}

	// With a passkey, TOTP no longer logs in; the passkey does.
	pc := a.staffPasswordStep("agent")
	if p := pc.get("/console/login/totp"); !p.has("passkey-only") || p.has("console-totp-form") || !p.has("passkey-check") {
		t.Fatal("second step offers TOTP while passkeys are required")
	}
	if p := pc.post("/console/login/totp", url.Values{"code": {a.totpNow(demoTOTPSecret)}}); p.status != http.StatusForbidden || p.location != "" {
		t.Fatalf("TOTP with a passkey required: %d %q", p.status, p.location)
	}
	if loggedInConsole(pc) {
		t.Fatal("TOTP logged in while passkeys are required")
	}
	if _, status, out := key.staffPasskeyLogin(t, a); status != http.StatusOK || out["redirect"] != "/console" {
		t.Fatalf("passkey login with the setting on: %d %v", status, out)
	}

	// Logout works in the restricted session.
	a.clock.Advance(30 * time.Second)
	r = a.passkeySetupClient("partner")
	if p := r.post("/console/logout", nil); p.location != "/console/login?notice=logout" {
		t.Fatalf("restricted logout: %d %q", p.status, p.location)
	}
}
