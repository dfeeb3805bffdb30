package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func (a *testApp) staffID(login string) string {
	a.t.Helper()
	st, err := a.DB.StaffByLogin(context.Background(), login)
	if err != nil {
		a.t.Fatal(err)
	}
	return fmt.Sprint(st.ID)
}

// docs/security.md S29: the role and active flag are read on every request, so an
// admin's change reaches a session that is already logged in.
func TestStaffChangesTakeEffectOnNextRequest(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	if p := agent.get("/console/customers"); p.status != http.StatusOK {
		t.Fatalf("agent search: %d", p.status)
	}
	admin := a.staffLogin("admin")
	admin.get("/console/staff")
	id := a.staffID("agent")
	if p := admin.post("/console/staff/"+id+"/role", url.Values{"role": {"auditor"}, "org": {"compliance"}}); p.location != "/console/staff?notice=role" {
		t.Fatalf("role change: %d %q", p.status, p.location)
	}
	if p := agent.get("/console/customers"); p.status != http.StatusForbidden {
		t.Errorf("search after the role was removed: %d", p.status)
	}
	if p := agent.get("/console/audit"); p.status != http.StatusOK {
		t.Errorf("new role not in effect: %d", p.status)
	}
	admin.get("/console/staff")
	admin.post("/console/staff/"+id+"/deactivate", nil)
	if p := agent.get("/console"); p.location != "/console/login" {
		t.Errorf("deactivated staff still in: %d %q", p.status, p.location)
	}
	c := a.newClient()
	c.get("/console/login")
	if p := c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}}); p.status != http.StatusUnauthorized {
		t.Errorf("deactivated staff logs in: %d", p.status)
	}
	admin.get("/console/staff")
	if p := admin.post("/console/staff/"+a.staffID("admin")+"/deactivate", nil); p.location != "/console/staff?notice=own" {
		t.Errorf("admin changed own account: %q", p.location)
	}
}

var initialPassword = regexp.MustCompile(`initial password \(shown once\): (\S+)`)

// A staff member made on the command line logs in with the initial
// password and must enrol TOTP; an admin's reset makes them enrol again.
func TestNewStaffEnrolsTOTPAtFirstLogin(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	out, err := a.runConsoleCommand("staff", "create", "--login", "Yamada", "--role", "agent", "--org", "support", "--name", "山田 花子")
	m := initialPassword.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("staff create: %v %q", err, out)
	}
	enrol := func() string {
		a.clock.Advance(30 * time.Second)
		c := a.newClient()
		c.get("/console/login")
		if p := c.post("/console/login", url.Values{"login_id": {"yamada"}, "password": {m[1]}}); p.location != "/console/login/totp" {
			t.Fatalf("password step: %d %q", p.status, p.location)
		}
		p := c.get("/console/login/totp")
		secret := p.text("totp-secret")
		img := find(p.doc, func(n *html.Node) bool { return n.Data == "img" })
		if !p.has("totp-enrol") || len(secret) < 32 || img == nil || !strings.HasPrefix(attr(img, "src"), "data:image/png;base64,") {
			t.Fatalf("enrolment page: secret %q", secret)
		}
		code, _ := totpCodeForTest(secret, a.clock.Now())
		if p := c.post("/console/login/totp", url.Values{"code": {code}}); p.location != "/console" {
			t.Fatalf("enrol: %d %q", p.status, p.text("notice-error"))
		}
		// The code that confirmed the enrolment does not log in again (docs/security.md S2).
		again := a.newClient()
		again.get("/console/login")
		again.post("/console/login", url.Values{"login_id": {"yamada"}, "password": {m[1]}})
		again.get("/console/login/totp")
		if p := again.post("/console/login/totp", url.Values{"code": {code}}); p.status != http.StatusUnauthorized {
			t.Fatalf("enrolment code replayed: %d", p.status)
		}
		return secret
	}
	first := enrol()
	admin := a.staffLogin("admin")
	admin.get("/console/staff")
	if p := admin.post("/console/staff/"+a.staffID("yamada")+"/totp/reset", nil); p.location != "/console/staff?notice=totp_reset" {
		t.Fatalf("reset: %q", p.location)
	}
	if second := enrol(); second == first {
		t.Error("reset kept the old secret")
	}
	if out, err := a.runConsoleCommand("staff", "list"); err != nil || !strings.Contains(out, "yamada") {
		t.Errorf("staff list: %v %q", err, out)
	}
}

func TestAdminCreatesStaffShowingPasswordOnce(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	admin.get("/console/staff")
	p := admin.post("/console/staff", url.Values{"login_id": {"shop2"}, "name": {"店頭 五郎"}, "role": {"partner"}, "org": {"shop-demo"}})
	if p.status != http.StatusOK || len(p.text("initial-password")) != 16 {
		t.Fatalf("create: %d %q", p.status, p.text("initial-password"))
	}
	if p := admin.get("/console/staff"); p.has("initial-password") {
		t.Error("initial password shown again")
	}
	if p := admin.post("/console/staff", url.Values{"login_id": {"shop2"}, "name": {"x"}, "role": {"partner"}, "org": {"shop-demo"}}); p.status != http.StatusUnprocessableEntity || !p.has("login_id-error") {
		t.Errorf("duplicate login: %d", p.status)
	}
	if p := admin.post("/console/staff", url.Values{"login_id": {"x2"}, "name": {"x"}, "role": {"root"}, "org": {"support"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown role: %d", p.status)
	}
}

func TestStaffLoginRefusals(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c := a.newClient()
	c.get("/console/login")
	for _, f := range []url.Values{
		{"login_id": {"agent"}, "password": {"wrong"}},
		{"login_id": {"nobody"}, "password": {demoStaffPassword}},
	} {
		if p := c.post("/console/login", f); p.status != http.StatusUnauthorized || !strings.Contains(p.text("notice-error"), "正しくありません") {
			t.Errorf("%v: %d", f, p.status)
		}
	}
	c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}})
	c.get("/console/login/totp")
	for i := 0; i < 5; i++ {
		c.post("/console/login/totp", url.Values{"code": {"000000"}})
	}
	if p := c.post("/console/login/totp", url.Values{"code": {a.totpNow(demoTOTPSecret)}}); p.status != http.StatusForbidden && p.location == "/console" {
		t.Errorf("TOTP not limited: %d %q", p.status, p.location)
	}
}

// Staff sessions end after 15 minutes idle and 8 hours in all.
func TestStaffSessionLimits(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c := a.staffLogin("agent")
	a.clock.Advance(14 * time.Minute)
	if p := c.get("/console"); p.status != http.StatusOK {
		t.Fatalf("after 14 min idle: %d", p.status)
	}
	a.clock.Advance(16 * time.Minute)
	if p := c.get("/console"); p.location != "/console/login" {
		t.Fatalf("after 16 min idle: %d %q", p.status, p.location)
	}
	c = a.staffLogin("agent")
	for i := 0; i < 34; i++ { // active every 14 min for 7 h 56 min
		a.clock.Advance(14 * time.Minute)
		if p := c.get("/console"); p.status != http.StatusOK {
			t.Fatalf("logged out after %d min: %d", (i+1)*14, p.status)
		}
	}
	a.clock.Advance(14 * time.Minute)
	if p := c.get("/console"); p.location != "/console/login" {
		t.Fatalf("session outlived 8 h: %d", p.status)
	}
}

func TestConsoleCookieSeparateFromCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  string
		want []string
	}{
		// The login page's pre-session cookie; the session's has the same attributes.
		{"dev", []string{"mfadesk_console_pre=", "Path=/console", "HttpOnly"}},
		{"production", []string{"__Host-mfadesk_console_pre=", "Path=/;", "Secure", "HttpOnly"}},
	}
	for _, tt := range tests {
		a := newConsoleApp(t, func(cfg *Config) {
			cfg.Env = tt.env
			if tt.env != "dev" {
				cfg.Delivery, cfg.Demo = "none", false
			}
		})
		ck := a.newClient().get("/console/login").header.Get("Set-Cookie")
		for _, w := range tt.want {
			if !strings.Contains(ck+";", w) {
				t.Errorf("%s cookie %q lacks %q", tt.env, ck, w)
			}
		}
	}
}

func TestEveryConsoleFormCarriesCSRF(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-sms"), "phone")
	agent.post(kase+"/verify/possession", url.Values{"channel": {"sms"}})
	pages := []*page{a.newClient().get("/console/login"), agent.get(kase), agent.get("/console/customers?q=1000002")}
	partner := a.staffLogin("partner")
	shop := partnerCase(t, partner) // the document form shows only on a partner's shop case
	pages = append(pages, a.staffLogin("admin").get("/console/staff"), partner.get("/console/partner/find"), partner.get(shop))
	for _, p := range pages {
		for _, f := range p.forms() {
			if attr(f, "method") == "get" {
				continue
			}
			if find(f, func(n *html.Node) bool {
				return n.Data == "input" && attr(n, "name") == "_csrf" && attr(n, "value") != ""
			}) == nil {
				t.Errorf("form %s without _csrf", attr(f, "action"))
			}
		}
	}
}
