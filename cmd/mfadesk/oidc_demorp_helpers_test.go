package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/demorp"
	"mfadesk/idp"
)

// rpWorld is the whole app served at its own origin (http://localhost:
// port, so the issuer go-oidc discovers is the one the app names) and the
// demo relying party on its own server, registered by an admin through
// the console with the relying party's URLs.
type rpWorld struct {
	a        *testApp
	base     string // the app's origin
	rpURL    string
	clientID string
	secret   string
	rp       *demorp.RP
}

func newRPWorld(t *testing.T, configure ...func(*Config)) *rpWorld {
	t.Helper()
	a := newOIDCApp(t, configure...)
	base := a.Config.Origin
	// Test browsers reach the app by its origin too: one cookie host for
	// the login pages and the provider's redirects.
	a.srv.URL = base
	rpSrv := httptest.NewUnstartedServer(nil)
	w := &rpWorld{a: a, base: base, rpURL: "http://" + rpSrv.Listener.Addr().String()}
	form := url.Values{"name": {"デモ取引サイト"}, "redirect_uris": {w.rpURL + "/callback"}, "post_logout_uris": {w.rpURL + "/"},
		"backchannel_uri": {w.rpURL + "/backchannel"}, "scopes": {"openid", "profile", "email"}, "type": {"confidential"}}
	w.clientID, w.secret = registerClient(t, a.staffLogin("admin"), form)
	var err error
	w.rp, err = demorp.New(demorp.Config{Issuer: base + idp.Prefix, ClientID: w.clientID, ClientSecret: w.secret,
		BaseURL: w.rpURL, StepUpACR: idp.ACRPhishingResistant, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	rpSrv.Config.Handler = w.rp
	rpSrv.Start()
	t.Cleanup(rpSrv.Close)
	return w
}

// browse GETs rawURL and follows redirects, across the app and the
// relying party, until a page answers; it returns the page and its URL.
func (c *client) browse(rawURL string) (*page, string) {
	c.t.Helper()
	p, at, _ := c.browseUntil(rawURL, func(*url.URL) bool { return false })
	return p, at
}

// browseUntil is browse that stops before a redirect to a URL stop
// accepts: it returns that redirect's page and URL, unfollowed, and true.
func (c *client) browseUntil(rawURL string, stop func(*url.URL) bool) (*page, string, bool) {
	c.t.Helper()
	for range 20 {
		req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
		p := c.do(req)
		if p.status < 300 || p.status > 399 {
			return p, rawURL, false
		}
		here, _ := url.Parse(rawURL)
		next, err := here.Parse(p.location)
		if err != nil {
			c.t.Fatalf("redirect from %s to %q: %v", rawURL, p.location, err)
		}
		if stop(next) {
			return p, next.String(), true
		}
		rawURL = next.String()
	}
	c.t.Fatalf("more than 20 redirects from %s", rawURL)
	return nil, "", false
}

// rpButton presses one of the relying party's buttons (login, withdraw,
// logout): a POST with the token of its top page, then the redirects.
func (w *rpWorld) rpButton(c *client, path string) (*page, string) {
	c.t.Helper()
	top, _ := c.browse(w.rpURL + "/")
	req, _ := http.NewRequest(http.MethodPost, w.rpURL+path, strings.NewReader(url.Values{"csrf": {top.inputValue("csrf")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p := c.do(req)
	if p.status != http.StatusSeeOther {
		c.t.Fatalf("relying party %s: %d %s", path, p.status, p.body)
	}
	next, _ := url.Parse(w.rpURL + path)
	to, _ := next.Parse(p.location)
	return c.browse(to.String())
}

// rpText is the text of the element with that id on a relying party page.
func rpText(p *page, id string) string {
	n := find(p.doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if n == nil {
		return ""
	}
	return textOf(n)
}

// signInTOTP signs demo-app in at the relying party with password and
// authenticator code; it returns the browser on the relying party's top page.
func (w *rpWorld) signInTOTP(t *testing.T) (*client, *page) {
	t.Helper()
	a := w.a
	a.clock.Advance(30 * time.Second) // a TOTP step of its own
	b := a.newClient()
	if _, at := w.rpButton(b, "/login"); at != w.base+"/login" {
		t.Fatalf("sign-in went to %s, want the login page", at)
	}
	if p := b.login("demo-app", demoPassword); p.location != "/login/verify" {
		t.Fatalf("password: %d %q", p.status, p.location)
	}
	b.get("/login/verify")
	p := b.submitCode(a.totpNow(demoTOTPSecret))
	if !strings.HasPrefix(p.location, idp.Prefix+"/login?id=") {
		t.Fatalf("after the code: %d %q, want back to the provider", p.status, p.location)
	}
	top, at := b.browse(w.base + p.location)
	if at != w.rpURL+"/" {
		t.Fatalf("signed in at %s: %s", at, top.body)
	}
	return b, top
}
