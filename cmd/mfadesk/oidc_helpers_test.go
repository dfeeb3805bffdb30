package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mfadesk/data"
	"mfadesk/idp"
)

// rpRedirect is the test relying party's redirect URI; the browser never
// follows it, the test reads the code from the Location.
const rpRedirect = "https://rp.example/cb"

// newOIDCApp is the whole app with its origin on the test server's own
// address (the issuer must be reachable by the relying party) and the
// demo staff seeded (a client is created by a staff member).
func newOIDCApp(t *testing.T, configure ...func(*Config)) *testApp {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	origin := "http://localhost:" + port
	a := newTestAppServer(t, srv, append([]func(*Config){func(c *Config) { c.Origin = origin }}, configure...)...)
	if _, err := seedDemoStaff(context.Background(), a.App); err != nil {
		t.Fatalf("seed staff: %v", err)
	}
	return a
}

// rp is a relying party: a registered client and go-oidc with oauth2
// talking to the provider over HTTP.
type rp struct {
	t        *testing.T
	a        *testApp
	ctx      context.Context
	client   *data.OIDCClient
	secret   string
	provider *gooidc.Provider
	oauth    oauth2.Config
}

// newRP registers a confidential client (scopes openid profile email
// phone unless configure changes them) and discovers the provider.
func newRP(t *testing.T, a *testApp, configure ...func(*data.OIDCClient)) *rp {
	t.Helper()
	ctx := context.Background()
	secret, hash := idp.NewClientSecret()
	c := &data.OIDCClient{ID: idp.NewClientID(), Name: "テストRP", RedirectURIs: []string{rpRedirect},
		PostLogoutRedirectURIs: []string{"https://rp.example/bye"}, Scopes: []string{"openid", "profile", "email", "phone"},
		SecretHash: hash, CreatedBy: staffID(t, a, "admin")}
	for _, f := range configure {
		f(c)
	}
	if err := a.DB.InTx(ctx, func(tx *data.Tx) error { return tx.CreateOIDCClient(ctx, c) }); err != nil {
		t.Fatal(err)
	}
	ctx = gooidc.ClientContext(ctx, &http.Client{})
	provider, err := gooidc.NewProvider(ctx, a.Config.Origin+"/oidc")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &rp{t: t, a: a, ctx: ctx, client: c, secret: secret, provider: provider, oauth: oauth2.Config{
		ClientID: c.ID, ClientSecret: secret, Endpoint: oauth2.Endpoint{AuthURL: provider.Endpoint().AuthURL, TokenURL: provider.Endpoint().TokenURL, AuthStyle: oauth2.AuthStyleInHeader}, RedirectURL: rpRedirect,
		Scopes: append([]string{}, c.Scopes...)}}
}

func staffID(t *testing.T, a *testApp, login string) int64 {
	t.Helper()
	var id int64
	if err := a.DB.QueryRowContext(context.Background(), `SELECT id FROM staff WHERE login_id = ?`, login).Scan(&id); err != nil {
		t.Fatalf("staff %s: %v", login, err)
	}
	return id
}

// flow is one authorisation request of the relying party.
type flow struct {
	state, nonce, verifier string
}

// authorize starts a flow in the browser c and follows the provider's
// redirects inside the site; it returns the flow and the last page (a
// redirect to the relying party, or a page of the site to act on).
func (r *rp) authorize(c *client, opts ...oauth2.AuthCodeOption) (*flow, *page) {
	r.t.Helper()
	f := &flow{state: idp.NewClientID(), nonce: idp.NewClientID(), verifier: oauth2.GenerateVerifier()}
	opts = append([]oauth2.AuthCodeOption{gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)}, opts...)
	u, err := url.Parse(r.oauth.AuthCodeURL(f.state, opts...))
	if err != nil {
		r.t.Fatal(err)
	}
	return f, follow(c, c.get(u.RequestURI()))
}

// follow follows redirects that stay on the provider's /oidc paths.
func follow(c *client, p *page) *page {
	for range 10 {
		if !strings.HasPrefix(p.location, "/oidc/") && !strings.HasPrefix(p.location, c.app.Config.Origin+"/oidc/") {
			return p
		}
		u, err := url.Parse(p.location)
		if err != nil {
			c.t.Fatal(err)
		}
		p = c.get(u.RequestURI())
	}
	c.t.Fatal("too many redirects")
	return nil
}

// code reads the code the provider sent back to the relying party,
// checking the state.
func (r *rp) code(f *flow, p *page) string {
	r.t.Helper()
	q := r.answer(p)
	if q.Get("state") != f.state {
		r.t.Fatalf("state %q, want %q", q.Get("state"), f.state)
	}
	if q.Get("code") == "" {
		r.t.Fatalf("no code: error=%q %q", q.Get("error"), q.Get("error_description"))
	}
	return q.Get("code")
}

// answer is the query of the provider's redirect to the relying party.
func (r *rp) answer(p *page) url.Values {
	r.t.Helper()
	if !strings.HasPrefix(p.location, rpRedirect+"?") {
		r.t.Fatalf("not a redirect to the relying party: %d %q %s", p.status, p.location, p.body)
	}
	u, _ := url.Parse(p.location)
	return u.Query()
}

// idClaims are the ID token claims the tests read.
type idClaims struct {
	Sub      string   `json:"sub"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr"`
	SID      string   `json:"sid"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Verified bool     `json:"email_verified"`
	Phone    string   `json:"phone_number"`
	Hold     *int64   `json:"withdrawal_hold_until"`
}

// exchange trades the code (with the PKCE verifier) for tokens and
// verifies the ID token with go-oidc's verifier.
func (r *rp) exchange(f *flow, code string) (*oauth2.Token, *gooidc.IDToken, idClaims) {
	r.t.Helper()
	tok, err := r.oauth.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		r.t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.provider.Verifier(&gooidc.Config{ClientID: r.client.ID}).Verify(r.ctx, raw)
	if err != nil {
		r.t.Fatalf("verify ID token: %v", err)
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		r.t.Fatal(err)
	}
	if claims.Nonce != f.nonce {
		r.t.Errorf("nonce %q, want %q", claims.Nonce, f.nonce)
	}
	return tok, idt, claims
}

// signIn is a whole flow from a browser with a live session (or one that
// logs in inside login): authorize, log in if asked, exchange.
func (r *rp) signIn(c *client, login func(p *page) *page, opts ...oauth2.AuthCodeOption) (*oauth2.Token, idClaims) {
	r.t.Helper()
	f, p := r.authorize(c, opts...)
	if login != nil {
		p = follow(c, login(p))
	}
	tok, _, claims := r.exchange(f, r.code(f, p))
	return tok, claims
}

// codeLogin logs in as loginID with the password and the second factor
// the demo account uses, in c, from the provider's redirect to /login;
// it returns the page the login ends on (back to the provider).
func codeLogin(t *testing.T, a *testApp, c *client, loginID string) func(*page) *page {
	return func(p *page) *page {
		t.Helper()
		if p.location != "/login" {
			t.Fatalf("provider did not send to the login: %d %q", p.status, p.location)
		}
		if p := c.login(loginID, demoPassword); p.location != "/login/verify" {
			t.Fatalf("password step: %d %q", p.status, p.location)
		}
		c.get("/login/verify")
		return c.submitCode(demoLoginCode(a, loginID))
	}
}
