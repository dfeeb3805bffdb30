package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mfadesk/web"
)

// rowCounts counts the rows of every table, read straight from the file.
func (a *testApp) rowCounts() map[string]int {
	a.t.Helper()
	raw := rawDB(a.t, a.Config.DB)
	rows, err := raw.Query(tablesQuery(a.Config.DB))
	if err != nil {
		a.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			a.t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int{}
	for _, name := range tables {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM "` + name + `"`).Scan(&n); err != nil {
			a.t.Fatal(err)
		}
		counts[name] = n
	}
	return counts
}

func sameCounts(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	for name, n := range after {
		if before[name] != n {
			t.Errorf("%s: table %s went from %d to %d rows", what, name, before[name], n)
		}
	}
}

// Page views by anonymous visitors write nothing: not 500 views of each
// page by 500 cookie-less clients, nor with made-up cookies (docs/operations.md).
func TestAnonymousPagesWriteNothing(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	paths := []string{"/", "/login", "/login?notice=logout", "/login/temp-pass", "/login/forgot", "/verify/post",
		"/login/forgot/verify", "/login/forgot/password", "/console/login", "/console", "/home", "/settings/mfa", "/lang?to=en&next=/login", "/no-such-page"}
	junk := []*http.Cookie{{Name: "mfadesk", Value: "made-up-session"}, {Name: "mfadesk_pre", Value: strings.Repeat("A", 43)},
		{Name: "mfadesk_console", Value: "made-up"}, {Name: "mfadesk_console_pre", Value: strings.Repeat("B", 43)}}
	before := a.rowCounts()
	for _, path := range paths {
		for i := range 500 {
			req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
			if i%2 == 1 {
				for _, ck := range junk {
					req.AddCookie(ck)
				}
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
		}
	}
	sameCounts(t, "500 anonymous views of each page", before, a.rowCounts())

	// The forms still carry a token, bound to a cookie of their own.
	for _, path := range []string{"/login", "/login/temp-pass", "/login/forgot", "/console/login"} {
		p := a.newClient().get(path)
		if p.status != http.StatusOK || p.inputValue("_csrf") == "" || !strings.Contains(p.header.Get("Set-Cookie"), "_pre=") {
			t.Errorf("GET %s: %d, token %q, cookie %q", path, p.status, p.inputValue("_csrf"), p.header.Get("Set-Cookie"))
		}
	}
}

// A login from the stateless login page works end to end, the token
// changes when the session starts, and the pre-login one no longer passes.
func TestPreSessionLoginRotatesToken(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.newClient()
	c.get("/login")
	pre := c.csrf
	if p := c.get("/login"); p.inputValue("_csrf") != pre || p.header.Get("Set-Cookie") != "" {
		t.Fatalf("a second view changed the pre-session: %q %q", p.inputValue("_csrf"), p.header.Get("Set-Cookie"))
	}
	p := c.post("/login", url.Values{"login_id": {"demo-app"}, "password": {demoPassword}})
	if cookies := strings.Join(p.header.Values("Set-Cookie"), "\n"); p.location != "/login/verify" || !strings.Contains(cookies, "mfadesk_pre=; Path=/; Max-Age=0") {
		t.Fatalf("password step: %d %q, cookies %q", p.status, p.location, p.header.Values("Set-Cookie"))
	}
	if p := c.get("/login/verify"); c.csrf == pre || p.status != http.StatusOK {
		t.Fatalf("token not rotated at the password step: %d", p.status)
	}
	if p := c.post("/login/verify", url.Values{"code": {a.totpNow(demoTOTPSecret)}, "_csrf": {pre}}); p.status != http.StatusForbidden {
		t.Fatalf("the pre-login token passed after login: %d", p.status)
	}
	if p := c.submitCode(a.totpNow(demoTOTPSecret)); p.location != "/home" {
		t.Fatalf("second factor: %d %q", p.status, p.location)
	}
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Fatalf("home: %d", p.status)
	}
	if p := c.post("/logout", nil); p.location != "/login?notice=logout" {
		t.Fatalf("logout: %d %q", p.status, p.location)
	}
	if p := c.post("/login", url.Values{"login_id": {"demo-app"}, "password": {demoPassword}, "_csrf": {pre}}); p.status != http.StatusForbidden {
		t.Fatalf("the pre-login token passed after logout: %d", p.status)
	}
}

// A pre-session's token passes only with its own cookie: not with another
// browser's, not with none, not on the other site.
func TestPreSessionTokenBoundToCookie(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	form := func(token string) url.Values {
		return url.Values{"login_id": {"demo-email"}, "password": {demoPassword}, "_csrf": {token}}
	}
	mine, other := a.newClient(), a.newClient()
	mine.get("/login")
	other.get("/login")
	if p := other.post("/login", form(mine.csrf)); p.status != http.StatusForbidden {
		t.Errorf("another browser's token: %d", p.status)
	}
	none := a.newClient()
	if p := none.post("/login", form(mine.csrf)); p.status != http.StatusForbidden {
		t.Errorf("a token without its cookie: %d", p.status)
	}
	consoleToken := a.newClient()
	consoleToken.get("/console/login")
	consoleToken.get("/login")
	if p := consoleToken.post("/login", form(consoleToken.consoleCSRF(t))); p.status != http.StatusForbidden {
		t.Errorf("the console's token on the customer site: %d", p.status)
	}
	staff := a.newClient()
	staff.get("/console/login")
	if p := staff.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}, "_csrf": {mine.csrf}}); p.status != http.StatusForbidden {
		t.Errorf("a customer page's token on the console: %d", p.status)
	}
	if p := mine.post("/login", form(mine.csrf)); p.location != "/login/verify" {
		t.Errorf("own token refused: %d %q", p.status, p.location)
	}
}

// consoleCSRF is the token of the client's console login page.
func (c *client) consoleCSRF(t *testing.T) string {
	t.Helper()
	token := c.get("/console/login").inputValue("_csrf")
	if token == "" {
		t.Fatal("no console token")
	}
	return token
}

// The token is read from the body or the header, never the query string.
func TestCSRFTokenNotFromQuery(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	creds := url.Values{"login_id": {"demo-email"}, "password": {demoPassword}}.Encode()
	c := a.newClient()
	c.get("/login")
	if p := c.postRaw("/login?_csrf="+url.QueryEscape(c.csrf), creds, nil); p.status != http.StatusForbidden {
		t.Fatalf("token in the query: %d %q", p.status, p.location)
	}
	if p := c.postRaw("/login", creds+"&_csrf="+url.QueryEscape(c.csrf), nil); p.location != "/login/verify" {
		t.Fatalf("token in the body: %d %q", p.status, p.location)
	}
	// A session's token likewise; the header is the other way in.
	c.get("/login/verify")
	if p := c.postRaw("/login/resend?_csrf="+url.QueryEscape(c.csrf), "", nil); p.status != http.StatusForbidden {
		t.Fatalf("session token in the query: %d %q", p.status, p.location)
	}
	if p := c.postRaw("/login/resend", "", http.Header{web.CSRFHeader: {c.csrf}}); p.status == http.StatusForbidden {
		t.Fatalf("session token in the header: %d", p.status)
	}
}

// The language selector goes back only to a path on this site; anything
// else lands on the site's home.
func TestLanguageSelectorRefusesOffSiteTargets(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, next := range []string{
		"/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example",
		"/%252F/evil.example", "/%5Cevil.example", "%5C%5Cevil.example", "///evil.example", "https://evil.example",
		"javascript:alert(1)", "/%E3%80%80/evil.example", "/%E2%80%8B/evil.example", "/%0d%0aSet-Cookie:%20x=y",
	} {
		// Straight to the transport: a client would refuse some of these
		// Location headers itself, and a browser would follow them.
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/lang?to=en&next="+next, nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("next=%s: %d %q", next, resp.StatusCode, resp.Header.Get("Location"))
		}
		if cookies := strings.Join(resp.Header.Values("Set-Cookie"), "\n"); strings.Contains(cookies, "x=y") {
			t.Errorf("next=%s set a cookie: %q", next, cookies)
		}
	}
	if p := a.newClient().get("/lang?to=en&next=" + url.QueryEscape("/settings/mfa?notice=saved")); p.location != "/settings/mfa?notice=saved" {
		t.Errorf("a path on this site: %q", p.location)
	}

	// On its own listener the console's home is /console.
	b := newTestApp(t, func(cfg *Config) { cfg.ConsoleAddr = "127.0.0.1:0" })
	rec := httptest.NewRecorder()
	b.ConsoleEcho.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/lang?to=en&next=/%09/evil.example", nil))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/console" {
		t.Errorf("console listener: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

// Anonymous sessions (passkey logins begun) are capped per address, even
// when the requests race, and a browser reuses its own.
func TestAnonymousSessionsCappedPerAddress(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	const extra = 10
	clients := make([]*client, web.AnonymousPerAddress+extra)
	for i := range clients {
		clients[i] = a.newClient()
		clients[i].get("/login")
	}
	statuses := make([]int, len(clients))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, c := range clients {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/login/passkey/options",
				strings.NewReader(url.Values{"_csrf": {c.csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.http.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	start.Done()
	done.Wait()
	passed, refused := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			passed++
		case http.StatusTooManyRequests:
			refused++
		}
	}
	if passed != web.AnonymousPerAddress || refused != extra {
		t.Fatalf("%d passed, %d refused, want %d and %d", passed, refused, web.AnonymousPerAddress, extra)
	}
	if n := a.rowCounts()["sessions"]; n != web.AnonymousPerAddress {
		t.Fatalf("%d sessions, want %d", n, web.AnonymousPerAddress)
	}
	// A browser that has one begins again in it: no new row.
	for _, c := range clients {
		if c.cookie() != "" {
			if status, _, body := c.passkeyPost("/login/passkey/options", nil); status != http.StatusOK {
				t.Fatalf("again in its own session: %d %s", status, body)
			}
			break
		}
	}
	if n := a.rowCounts()["sessions"]; n != web.AnonymousPerAddress {
		t.Fatalf("%d sessions after reuse, want %d", n, web.AnonymousPerAddress)
	}
	// Once they expire, the address may begin again, and the expired ones go.
	a.clock.Advance(web.AnonymousTTL + time.Second)
	late := a.newClient()
	late.get("/login")
	if status, _, body := late.passkeyPost("/login/passkey/options", nil); status != http.StatusOK {
		t.Fatalf("after expiry: %d %s", status, body)
	}
	if n := a.rowCounts(); n["sessions"] != 1 || n["webauthn_ceremonies"] != 1 {
		t.Fatalf("after expiry: %d sessions, %d ceremonies, want 1 and 1", n["sessions"], n["webauthn_ceremonies"])
	}
}

// Finishing a passkey login that was never begun, with only the login
// page's pre-session, is refused like any missing ceremony.
func TestPasskeyLoginWithoutCeremony(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	for _, site := range []struct{ page, finish string }{{"/login", "/login/passkey"}, {"/console/login", "/console/login/passkey"}} {
		c := a.newClient()
		c.get(site.page)
		status, out, body := c.passkeyPost(site.finish, url.Values{"credential": {"{}"}})
		if status != http.StatusUnauthorized || out["ok"] == true {
			t.Errorf("%s: %d %s", site.finish, status, body)
		}
	}
}
