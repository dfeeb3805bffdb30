package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
)

// issuePasskeyLink resets the customer's authenticator app on a strongly
// verified case and issues a passkey registration link; it returns the
// staff client, the case and the link's path.
func issuePasskeyLink(t *testing.T, a *testApp, loginID string) (*client, string, string) {
	t.Helper()
	c, kase := strongCase(t, a, "supervisor", loginID)
	if p := c.post(kase+"/reset", url.Values{"remove": {"totp"}}); p.location != kase+"?notice=reset_done" {
		t.Fatalf("reset: %d %q", p.status, p.location)
	}
	return c, kase, passkeyLinkPath(t, c, kase)
}

// passkeyLinkPath issues a link on the case and reads it off the page.
func passkeyLinkPath(t *testing.T, c *client, kase string) string {
	t.Helper()
	if page := c.get(kase); !page.has("passkey-link-action") {
		t.Fatal("case page does not offer the passkey link")
	}
	p := c.post(kase+"/passkey-link", nil)
	link := p.text("passkey-link")
	i := strings.Index(link, "/passkey/setup/")
	if p.status != http.StatusOK || i < 0 || !strings.Contains(p.body, `src="data:image/png;base64,`) {
		t.Fatalf("passkey link page: %d %q", p.status, link)
	}
	return link[i:]
}

// registerByLink runs the link's registration ceremony from a fresh
// browser; begin is the link whose options start it, finish the one the
// answer goes to.
func (k *softKey) registerByLink(t *testing.T, a *testApp, begin, finish string) (*client, int, map[string]any) {
	t.Helper()
	c, resp := k.beginByLink(t, a, begin)
	status, out, _ := c.passkeyPost(finish, url.Values{"credential": {resp}})
	return c, status, out
}

// beginByLink opens the link's page in a fresh browser, starts the
// registration and returns the authenticator's answer, not yet sent.
func (k *softKey) beginByLink(t *testing.T, a *testApp, link string) (*client, string) {
	t.Helper()
	c := a.newClient()
	if p := c.get(link); p.status != http.StatusOK || !p.has("passkey-link-form") {
		t.Fatalf("link page: %d", p.status)
	}
	status, _, body := c.passkeyPost(link+"/options", nil)
	if status != http.StatusOK {
		t.Fatalf("registration options: %d %s", status, body)
	}
	opts, err := virtualwebauthn.ParseAttestationOptions(body)
	if err != nil {
		t.Fatalf("parse attestation options: %v", err)
	}
	k.auth.Options.UserHandle = []byte(opts.UserID)
	return c, virtualwebauthn.CreateAttestationResponse(k.rp, k.auth, k.cred, *opts)
}

// linkRefused checks that the link neither opens nor starts a ceremony.
func linkRefused(t *testing.T, a *testApp, link, why string) {
	t.Helper()
	if p := a.newClient().get(link); p.status != http.StatusNotFound {
		t.Errorf("%s link opens: %d", why, p.status)
	}
	c := a.newClient()
	c.get("/login")
	if status, _, _ := c.passkeyPost(link+"/options", nil); status != http.StatusNotFound {
		t.Errorf("%s link starts a registration: %d", why, status)
	}
}

// In the passkey-only phase a reset customer gets back in by a link the
// desk issues after a strong check: it registers a passkey on their own
// device, logs them in, and the passkey then logs in alone.
func TestPasskeyLinkRegistersAndLogsIn(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	_, _, link := issuePasskeyLink(t, a, "demo-app")
	if !slices.Contains(a.auditEventsOf("support.passkey_link"), "success") {
		t.Error("issue not audited")
	}
	key := newSoftKey()
	c, status, out := key.registerByLink(t, a, link, link)
	if status != http.StatusOK || out["redirect"] != "/home" {
		t.Fatalf("register by link: %d %v", status, out)
	}
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Fatalf("home after the link: %d %q", p.status, p.location)
	}
	if !slices.Contains(a.auditEventsOf("passkey_link.use"), "success") {
		t.Error("use not audited")
	}
	noticed := slices.ContainsFunc(a.outbox(), func(m outboxEntry) bool {
		return m.To == demoContacts["demo-app"].email && strings.Contains(m.Body, "パスキー")
	})
	if !noticed {
		t.Error("no notice of the new passkey to the verified contact")
	}
	key.auth.AddCredential(key.cred)
	if _, status, out := key.passkeyLogin(t, a); status != http.StatusOK || out["redirect"] != "/home" {
		t.Fatalf("passkey login after the link: %d %v", status, out)
	}
	linkRefused(t, a, link, "used")
}

// A link needs a strong verification on the case: without one the
// console refuses it and no link exists.
func TestPasskeyLinkNeedsStrongVerification(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	c := a.staffLogin("supervisor")
	kase := c.openCase(a.customerID("demo-app"), "phone")
	if page := c.get(kase); page.has("passkey-link-action") {
		t.Error("case page offers the link before a strong verification")
	}
	p := c.post(kase+"/passkey-link", nil)
	if p.status != http.StatusForbidden || strings.Contains(p.body, "/passkey/setup/") {
		t.Fatalf("link without a strong verification: %d", p.status)
	}
	if slices.Contains(a.auditEventsOf("support.passkey_link"), "success") {
		t.Error("a link was issued")
	}
}

// A link works for 15 minutes only, also for a ceremony begun in time.
func TestPasskeyLinkExpires(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	_, _, link := issuePasskeyLink(t, a, "demo-app")
	a.clock.Advance(14 * time.Minute)
	c, resp := newSoftKey().beginByLink(t, a, link)
	a.clock.Advance(time.Minute)
	if status, out, _ := c.passkeyPost(link, url.Values{"credential": {resp}}); status != http.StatusNotFound || out["ok"] == true {
		t.Errorf("expired link registered: %d %v", status, out)
	}
	if keys, err := a.DB.PasskeysOf(t.Context(), a.customerID("demo-app")); err != nil || len(keys) != 0 {
		t.Errorf("passkeys after the expired link: %d (%v)", len(keys), err)
	}
	linkRefused(t, a, link, "expired")
}

// The ceremony is bound to the link's customer: one begun with customer
// A's link registers nothing through customer B's link, and B's link
// still works afterwards.
func TestPasskeyLinkBoundToItsCustomer(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	_, _, linkA := issuePasskeyLink(t, a, "demo-app")
	_, _, linkB := issuePasskeyLink(t, a, "demo-email")
	key := newSoftKey()
	if _, status, out := key.registerByLink(t, a, linkA, linkB); status == http.StatusOK || out["ok"] == true {
		t.Fatalf("A's ceremony registered through B's link: %d %v", status, out)
	}
	for _, login := range []string{"demo-app", "demo-email"} {
		keys, err := a.DB.PasskeysOf(t.Context(), a.customerID(login))
		if err != nil || len(keys) != 0 {
			t.Fatalf("%s has %d passkeys (%v)", login, len(keys), err)
		}
	}
	if _, status, out := newSoftKey().registerByLink(t, a, linkB, linkB); status != http.StatusOK || out["redirect"] != "/home" {
		t.Fatalf("B's own link after the refusal: %d %v", status, out)
	}
}

// A link is used once even when two browsers finish at the same moment:
// exactly one passkey is stored.
func TestPasskeyLinkUsedOnceInParallel(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	_, _, link := issuePasskeyLink(t, a, "demo-app")
	type browser struct {
		c    *client
		resp string
	}
	var browsers [2]browser
	for i := range browsers {
		browsers[i].c, browsers[i].resp = newSoftKey().beginByLink(t, a, link)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	oks := make([]bool, len(browsers))
	for i, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, out, _ := b.c.passkeyPost(link, url.Values{"credential": {b.resp}})
			oks[i] = out["ok"] == true
		}()
	}
	close(start)
	wg.Wait()
	keys, err := a.DB.PasskeysOf(t.Context(), a.customerID("demo-app"))
	if err != nil || len(keys) != 1 || oks[0] == oks[1] {
		t.Fatalf("parallel uses: %d passkeys, successes %v (%v)", len(keys), oks, err)
	}
}

// The link's page speaks the customer's language; opening it does not use
// it up.
func TestPasskeyLinkPageInBothLanguages(t *testing.T) {
	t.Parallel()
	a := passkeyOnlyApp(t)
	_, _, link := issuePasskeyLink(t, a, "demo-app")
	for _, lang := range []string{"ja", "en"} {
		p := a.newClient().setLang(lang).get(link)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", lang, p.status)
		}
		checkLanguage(t, "passkey link", lang, p)
	}
}
