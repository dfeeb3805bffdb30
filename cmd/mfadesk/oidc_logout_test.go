package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mfadesk/data"
)

// logoutReceiver is a relying party's back-channel logout endpoint.
type logoutReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	tokens []string
	status int
}

func newLogoutReceiver(t *testing.T) *logoutReceiver {
	l := &logoutReceiver{status: http.StatusOK}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			l.tokens = append(l.tokens, r.PostFormValue("logout_token"))
		}
		w.WriteHeader(l.status)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *logoutReceiver) received() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.tokens)
}

// logoutClaims are the claims of a logout token.
type logoutClaims struct {
	Sub    string                     `json:"sub"`
	SID    string                     `json:"sid"`
	JTI    string                     `json:"jti"`
	IAT    int64                      `json:"iat"`
	Nonce  *string                    `json:"nonce"`
	Events map[string]json.RawMessage `json:"events"`
}

// verifyLogout checks a logout token's signature, issuer and audience
// with go-oidc and returns its claims.
func (r *rp) verifyLogout(raw string) logoutClaims {
	r.t.Helper()
	tok, err := r.provider.Verifier(&gooidc.Config{ClientID: r.client.ID}).Verify(r.ctx, raw)
	if err != nil {
		r.t.Fatalf("logout token: %v", err)
	}
	var c logoutClaims
	if err := tok.Claims(&c); err != nil {
		r.t.Fatal(err)
	}
	return c
}

// A console reset ends the customer's session; in the same transaction a
// logout is queued for each client that signed them in and takes
// back-channel logouts, and the worker POSTs a signed logout token (sid,
// sub, the event, no nonce), retrying after a failure. A client without
// a back-channel URI gets nothing.
func TestOIDCBackchannelLogoutAfterConsoleReset(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	rcv := newLogoutReceiver(t)
	r := newRP(t, a, func(c *data.OIDCClient) { c.BackchannelLogoutURI = rcv.srv.URL + "/bcl" })
	quiet := newRP(t, a)
	c := a.newClient()
	_, claims := r.signIn(c, codeLogin(t, a, c, "demo-sms"))
	quiet.signIn(c, nil)

	rcv.status = http.StatusServiceUnavailable
	staff, kase := strongCase(t, a, "supervisor", "demo-sms")
	if p := staff.post(kase+"/reset", nil); p.location != kase+"?notice=reset_done" {
		t.Fatalf("reset: %d %q", p.status, p.location)
	}
	ctx := context.Background()
	if n, err := a.OIDC.RunLogouts(ctx); err != nil || n != 0 {
		t.Fatalf("first attempt: %d sent, %v", n, err)
	}
	rcv.status = http.StatusOK
	if n, _ := a.OIDC.RunLogouts(ctx); n != 0 {
		t.Fatal("a failed logout was retried before its backoff")
	}
	a.clock.Advance(2 * time.Minute)
	if n, err := a.OIDC.RunLogouts(ctx); err != nil || n != 1 {
		t.Fatalf("retry: %d sent, %v", n, err)
	}
	got := rcv.received()
	if len(got) != 2 {
		t.Fatalf("received %d logout tokens, want 2 (a failed try and its retry)", len(got))
	}
	lc := r.verifyLogout(got[1])
	if lc.SID != claims.SID || lc.Sub != claims.Sub || lc.JTI == "" || lc.Nonce != nil {
		t.Errorf("logout token %+v, want sid %q sub %q, no nonce", lc, claims.SID, claims.Sub)
	}
	if _, ok := lc.Events["http://schemas.openid.net/event/backchannel-logout"]; !ok || len(lc.Events) != 1 {
		t.Errorf("events %v", lc.Events)
	}
	logouts, err := a.DB.OIDCLogoutsOf(ctx, a.customerID("demo-sms"))
	if err != nil || len(logouts) != 1 || logouts[0].ClientID != r.client.ID {
		t.Errorf("queued logouts %+v, %v: want one, for the client with a back-channel URI", logouts, err)
	}
	if got := a.auditActions(20); !slices.Contains(got, "oidc.backchannel_logout") {
		t.Errorf("delivery not audited: %v", got)
	}
}

// A refresh token works while its session lives, and stops when the
// customer logs out; offline_access needs the client's permission.
func TestOIDCRefreshTokenDiesWithSession(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a, func(c *data.OIDCClient) { c.Scopes = append(c.Scopes, "offline_access") })
	r.oauth.Scopes = append(r.oauth.Scopes, "offline_access")
	c := a.newClient()
	tok, _ := r.signIn(c, codeLogin(t, a, c, "demo-app"))
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	refresh := func(rt string) (*oauth2.Token, error) {
		return r.oauth.TokenSource(r.ctx, &oauth2.Token{RefreshToken: rt}).Token()
	}
	next, err := refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh while the session lives: %v", err)
	}
	if _, err := refresh(tok.RefreshToken); err == nil {
		t.Error("a used refresh token worked again")
	}
	c.get("/home")
	if p := c.post("/logout", nil); p.location != "/login?notice=logout" {
		t.Fatalf("logout: %d %q", p.status, p.location)
	}
	if _, err := refresh(next.RefreshToken); err == nil {
		t.Error("refresh token worked after the customer logged out")
	}
	if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(next)); err == nil {
		t.Error("access token worked after the customer logged out")
	}

	plain := newRP(t, a)
	plain.oauth.Scopes = append(plain.oauth.Scopes, "offline_access")
	c2 := a.newClient()
	if tok, _ := plain.signIn(c2, codeLogin(t, a, c2, "demo-sms")); tok.RefreshToken != "" {
		t.Error("refresh token for a client not allowed offline_access")
	}
}

// RP-initiated logout with the ID token as hint and a registered
// post-logout URI ends the mfadesk session and queues the back-channel
// logouts; an unregistered post-logout URI is refused.
func TestOIDCEndSession(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	rcv := newLogoutReceiver(t)
	r := newRP(t, a, func(c *data.OIDCClient) { c.BackchannelLogoutURI = rcv.srv.URL })
	c := a.newClient()
	f, p := r.authorize(c)
	tok, _, _ := r.exchange(f, r.code(f, follow(c, codeLogin(t, a, c, "demo-app")(p))))
	hint, _ := tok.Extra("id_token").(string)
	end := func(post string) *page {
		return c.get("/oidc/end_session?" + url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {post},
			"state": {"x"}}.Encode())
	}
	if p := end("https://evil.example/"); strings.HasPrefix(p.location, "https://evil.example") {
		t.Fatalf("logout redirected to an unregistered URI: %q", p.location)
	}
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Fatalf("session ended by a refused logout: %d", p.status)
	}
	if p := end("https://rp.example/bye"); !strings.HasPrefix(p.location, "https://rp.example/bye") {
		t.Fatalf("end_session: %d %q %s", p.status, p.location, p.body)
	}
	if p := c.get("/home"); p.location != "/login" {
		t.Errorf("session survived end_session: %d %q", p.status, p.location)
	}
	if n, err := a.OIDC.RunLogouts(context.Background()); err != nil || n != 1 {
		t.Errorf("back-channel logouts after end_session: %d, %v", n, err)
	}
}

// The op's POST endpoints take no CSRF token (clients authenticate
// themselves), and only they: its other paths take no POST.
func TestOIDCCSRFExemption(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	c := a.newClient()
	for path, want := range map[string]int{
		"/oidc/oauth/token":      http.StatusBadRequest, // reached the op: no grant
		"/oidc/revoke":           http.StatusUnauthorized,
		"/oidc/oauth/introspect": http.StatusUnauthorized,
		"/oidc/authorize":        http.StatusMethodNotAllowed,
		"/oidc/login":            http.StatusMethodNotAllowed,
	} {
		if p := c.postRaw(path, "", nil); p.status != want {
			t.Errorf("POST %s without CSRF: %d, want %d", path, p.status, want)
		}
	}
}
