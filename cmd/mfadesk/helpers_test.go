package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
	"mfadesk/pgtest"
	"mfadesk/support"
)

// testClock is the injected clock: tests move time instead of sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testApp is the whole program on a SQLite file in a temp dir, served by
// httptest, with demo data seeded.
type testApp struct {
	*App
	t     *testing.T
	srv   *httptest.Server
	clock *testClock
}

// testStart is a fixed instant after every enforcement date, at the start
// of a TOTP step, so a test decides exactly when the step changes.
var testStart = time.Date(2026, 11, 29, 10, 0, 0, 0, jst.Zone)

// testArgon2 is far too weak for real use: the flow tests check which
// password passes, not what a hash costs, and at the production cost
// (about 35 ms a hash) seeding and logins took most of their time.
// TestProductionArgon2 keeps the production parameters covered.
func testArgon2() mfa.Argon2Params {
	return mfa.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func testConfig(t *testing.T) Config {
	cfg := Config{
		Env: "dev", Addr: "127.0.0.1:0", DB: pgtest.DSN(t, filepath.Join(t.TempDir(), "mfadesk.db")),
		Origin: "http://localhost:8080", Delivery: "dev", SecretKey: mfa.DevSecretKey(), Demo: true,
		MFA: mfa.DefaultConfig(), ReadCache: true, Retention: data.DefaultRetention(),
		LetterFont: support.FirstExistingFont(support.DefaultLetterFonts),
	}
	cfg.MFA.Argon2 = testArgon2()
	return cfg
}

// productionArgon2 undoes testConfig's cheap hashing, for tests about
// the cost of hashing itself.
func productionArgon2(cfg *Config) { cfg.MFA.Argon2 = mfa.DefaultArgon2() }

func newTestApp(t *testing.T, configure ...func(*Config)) *testApp {
	t.Helper()
	return newTestAppServer(t, httptest.NewUnstartedServer(nil), configure...)
}

// newTestAppServer builds the app behind srv, an unstarted httptest
// server whose listener is already bound (browser tests need the port
// before the app, for the origin).
func newTestAppServer(t *testing.T, srv *httptest.Server, configure ...func(*Config)) *testApp {
	t.Helper()
	return newTestAppLogging(t, srv, io.Discard, configure...)
}

// newTestAppLogging is newTestAppServer with the app's log written to
// logOut as JSON lines, as in production.
func newTestAppLogging(t *testing.T, srv *httptest.Server, logOut io.Writer, configure ...func(*Config)) *testApp {
	t.Helper()
	cfg := testConfig(t)
	for _, f := range configure {
		f(&cfg)
	}
	clock := &testClock{now: testStart}
	log := slog.New(slog.NewJSONHandler(logOut, nil))
	app, err := newApp(context.Background(), cfg, clock.Now, log)
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	if cfg.Demo {
		if _, err := seedDemo(context.Background(), app.MFA); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	srv.Config.Handler = app.Echo
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return &testApp{App: app, t: t, srv: srv, clock: clock}
}

// client is one browser: its own cookie jar, redirects not followed so
// tests see each step.
type client struct {
	t    *testing.T
	app  *testApp
	http *http.Client
	csrf string // from the last page that had a form
	// mu orders the csrf writes of a test's parallel requests on one client.
	mu sync.Mutex
}

func (a *testApp) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its parsed HTML.
type page struct {
	status   int
	header   http.Header
	body     string
	doc      *html.Node
	location string
}

func (c *client) do(req *http.Request) *page {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := &page{status: resp.StatusCode, header: resp.Header, body: string(b), location: resp.Header.Get("Location")}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		doc, err := html.Parse(strings.NewReader(p.body))
		if err != nil {
			c.t.Fatalf("parse html: %v", err)
		}
		p.doc = doc
		if v := p.inputValue("_csrf"); v != "" {
			c.mu.Lock()
			c.csrf = v
			c.mu.Unlock()
		}
	}
	return p
}

func (c *client) get(path string) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.srv.URL+path, nil)
	return c.do(req)
}

// post submits a form with the CSRF token of the last page.
func (c *client) post(path string, form url.Values) *page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form.Encode(), nil)
}

func (c *client) postRaw(path, body string, header http.Header) *page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return c.do(req)
}

// cookie returns the session cookie's current value.
func (c *client) cookie() string {
	u, _ := url.Parse(c.app.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "mfadesk" {
			return ck.Value
		}
	}
	return ""
}

// login does the password step from a fresh login page.
func (c *client) login(loginID, password string) *page {
	c.t.Helper()
	c.get("/login")
	return c.post("/login", url.Values{"login_id": {loginID}, "password": {password}})
}

func (c *client) submitCode(code string) *page {
	c.t.Helper()
	return c.post("/login/verify", url.Values{"code": {code}})
}

// byTestID finds the first element with that data-testid.
func (p *page) byTestID(id string) *html.Node {
	return find(p.doc, func(n *html.Node) bool { return attr(n, "data-testid") == id })
}

func (p *page) has(id string) bool { return p.doc != nil && p.byTestID(id) != nil }

// text is the text content of the element with that data-testid.
func (p *page) text(id string) string {
	n := p.byTestID(id)
	if n == nil {
		return ""
	}
	return textOf(n)
}

func (p *page) inputValue(name string) string {
	n := find(p.doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == name })
	if n == nil {
		return ""
	}
	return attr(n, "value")
}

// forms returns the action of every form on the page.
func (p *page) forms() []*html.Node {
	var out []*html.Node
	walk(p.doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" {
			out = append(out, n)
		}
	})
	return out
}

func find(root *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(root, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && match(n) {
			found = n
		}
	})
	return found
}

func walk(n *html.Node, fn func(*html.Node)) {
	if n == nil {
		return
	}
	fn(n)
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		walk(ch, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

// outboxEntry is one message of /dev/outbox.json.
type outboxEntry struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

func (a *testApp) outbox() []outboxEntry {
	a.t.Helper()
	resp, err := http.Get(a.srv.URL + "/dev/outbox.json")
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []outboxEntry
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatalf("decode outbox: %v", err)
	}
	return out
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// lastCode reads the newest code sent to an address from the dev outbox,
// as a customer reads it off their phone, in either language.
func (a *testApp) lastCode(to string) string {
	a.t.Helper()
	if e164, err := contact.ParsePhone(to); err == nil {
		to = e164 // numbers are stored, and sent, in E.164
	}
	for _, m := range a.outbox() {
		if m.To == to && (strings.Contains(m.Body, "コード") || strings.Contains(m.Body, "code")) {
			if code := sixDigits.FindString(m.Body); code != "" {
				return code
			}
		}
	}
	a.t.Fatalf("no code sent to %s", to)
	return ""
}

// totpNow is the demo authenticator app: the code for the test clock,
// computed by the test's own RFC 6238, not the production one.
func (a *testApp) totpNow(secret string) string {
	a.t.Helper()
	code, err := totpCodeForTest(secret, a.clock.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return code
}

// hashTokenForTest is how the server stores a session token.
func hashTokenForTest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
