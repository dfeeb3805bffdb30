package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestCSRFRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		token  func(c *client) string
		header http.Header
	}{
		{"missing", func(*client) string { return "" }, nil},
		{"wrong", func(*client) string { return "not-the-token" }, nil},
		{"other session's", func(c *client) string { o := c.app.newClient(); o.get("/login"); return o.csrf }, nil},
		{"cross-site", func(c *client) string { return c.csrf }, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			c := a.newClient()
			c.get("/login")
			form := url.Values{"login_id": {"demo-email"}, "password": {demoPassword}, "_csrf": {tt.token(c)}}
			p := c.postRaw("/login", form.Encode(), tt.header)
			if p.status != http.StatusForbidden || p.location != "" {
				t.Fatalf("status %d location %q", p.status, p.location)
			}
			if len(a.outbox()) != 0 {
				t.Fatal("a refused request sent a code")
			}
		})
	}
	// And the same request with the right token works.
	a := newTestApp(t)
	c := a.newClient()
	c.get("/login")
	if p := c.post("/login", url.Values{"login_id": {"demo-email"}, "password": {demoPassword}}); p.location != "/login/verify" {
		t.Fatalf("valid token refused: %d", p.status)
	}
}

// Every form on every page carries the CSRF field.
func TestEveryFormCarriesCSRF(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.newClient()
	pages := []*page{c.get("/login")}
	c.post("/login", url.Values{"login_id": {"demo-email"}, "password": {demoPassword}})
	pages = append(pages, c.get("/login/verify"))
	c.submitCode(a.lastCode("demo-email@example.jp"))
	pages = append(pages, c.get("/home"))
	for _, p := range pages {
		for _, f := range p.forms() {
			if find(f, func(n *html.Node) bool {
				return n.Data == "input" && attr(n, "name") == "_csrf" && attr(n, "value") != ""
			}) == nil {
				t.Errorf("form %s without _csrf", attr(f, "action"))
			}
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	p := a.newClient().get("/login")
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
		"Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if got := p.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// Responses share the headers' fixed values: a static file's caching
	// must not reach the next page, nor the page's no-store the file.
	c := a.newClient()
	for _, tt := range []struct{ path, cache string }{
		{"/static/app.css", "public, max-age=3600"}, {"/login", "no-store"}, {"/static/app.css", "public, max-age=3600"},
	} {
		if got := c.get(tt.path).header.Get("Cache-Control"); got != tt.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tt.path, got, tt.cache)
		}
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
		t.Error("page has inline script or style")
	}
	ck := p.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(ck, want) {
			t.Errorf("session cookie %q lacks %s", ck, want)
		}
	}
}

// docs/security.md S24 and S37: outside dev the cookie is __Host-, Secure, and HSTS is sent.
func TestProductionCookieAndHSTS(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) { cfg.Env = "production"; cfg.Delivery = "none"; cfg.Demo = false })
	p := a.newClient().get("/login")
	// The login page's pre-session cookie; the session's has the same attributes.
	ck := p.header.Get("Set-Cookie")
	if !strings.HasPrefix(ck, "__Host-mfadesk_pre=") || !strings.Contains(ck, "Secure") || !strings.Contains(ck, "Path=/") {
		t.Errorf("cookie %q", ck)
	}
	if hsts := p.header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=63072000") {
		t.Errorf("HSTS %q", hsts)
	}
	if p := a.newClient().get("/dev/outbox.json"); p.status != http.StatusNotFound {
		t.Errorf("dev outbox without dev delivery: %d", p.status)
	}
}

func TestBadInputGetsClearClientError(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		field  string // data-testid expected on the page
	}{
		{"missing fields", http.MethodPost, "/login", "", http.StatusUnprocessableEntity, "login_id-error"},
		{"missing password", http.MethodPost, "/login", "login_id=demo-app", http.StatusUnprocessableEntity, "password-error"},
		{"non-UTF-8 login id", http.MethodPost, "/login", "login_id=%ff%fe&password=x", http.StatusUnprocessableEntity, "login_id-error"},
		{"control character", http.MethodPost, "/login", "login_id=demo%00app&password=x", http.StatusUnprocessableEntity, "login_id-error"},
		{"too long login id", http.MethodPost, "/login", "login_id=" + strings.Repeat("a", 65) + "&password=x", http.StatusUnprocessableEntity, "login_id-error"},
		{"too long password", http.MethodPost, "/login", "login_id=demo-app&password=" + strings.Repeat("a", 257), http.StatusUnprocessableEntity, "password-error"},
		{"oversized body", http.MethodPost, "/login", "login_id=" + strings.Repeat("a", 70000), http.StatusRequestEntityTooLarge, "error-message"},
		{"wrong method", http.MethodPut, "/login", "", http.StatusMethodNotAllowed, "error-message"},
		{"unknown path", http.MethodGet, "/no-such-page", "", http.StatusNotFound, "error-message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.newClient()
			c.get("/login")
			body := tt.body
			if tt.method == http.MethodPost && tt.status != http.StatusRequestEntityTooLarge {
				body += "&_csrf=" + url.QueryEscape(c.csrf)
			}
			req, _ := http.NewRequest(tt.method, a.srv.URL+tt.path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			p := c.do(req)
			if p.status != tt.status {
				t.Fatalf("status %d, want %d", p.status, tt.status)
			}
			if !p.has(tt.field) || strings.TrimSpace(p.text(tt.field)) == "" {
				t.Errorf("no clear message at %s", tt.field)
			}
			if !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Errorf("content type %q", p.header.Get("Content-Type"))
			}
		})
	}
}

// docs/security.md S14 and S15: password failures are limited per account, under
// every spelling of the login ID, and the refusal looks like any other.
func TestPasswordThrottlePerAccount(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for i, id := range []string{"demo-email", "DEMO-EMAIL", "ｄｅｍｏ－ｅｍａｉｌ", " demo-email", "Demo-Email"} {
		if p := a.newClient().login(id, "wrong password"); p.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, p.status)
		}
	}
	p := a.newClient().login("demo-email", demoPassword)
	if p.status != http.StatusUnauthorized || !strings.Contains(p.text("notice-error"), "正しくありません") {
		t.Fatalf("right password during the throttle: %d %q", p.status, p.location)
	}
	a.clock.Advance(16 * time.Minute)
	if p := a.newClient().login("demo-email", demoPassword); p.location != "/login/verify" {
		t.Fatalf("throttle did not end: %d", p.status)
	}
}

func TestPasswordThrottlePerAddress(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) { cfg.MFA.PasswordFailuresPerAddress = 8 })
	for i := 0; i < 8; i++ {
		// Spread over accounts, as a credential-stuffing run would.
		a.newClient().login("user-"+string(rune('a'+i)), "wrong")
	}
	p := a.newClient().login("demo-email", demoPassword)
	if p.status != http.StatusTooManyRequests {
		t.Fatalf("after 8 failures from one address: %d", p.status)
	}
}

func TestDevOutboxJSONNewestFirst(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	pendingClient(t, a, "demo-email")
	pendingClient(t, a, "demo-sms")
	msgs := a.outbox()
	if len(msgs) < 2 || msgs[0].ID < msgs[1].ID {
		t.Fatalf("outbox not newest first: %+v", msgs)
	}
	if msgs[0].Channel != "sms" || msgs[0].To != "+819000000002" || msgs[0].CreatedAt == "" {
		t.Errorf("newest message %+v", msgs[0])
	}
	if msgs[1].Channel != "email" || msgs[1].Subject == "" {
		t.Errorf("email message %+v", msgs[1])
	}
	if p := a.newClient().get("/dev/outbox"); p.status != http.StatusOK || !p.has("outbox-message") {
		t.Errorf("outbox page: %d", p.status)
	}
}
