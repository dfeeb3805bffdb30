package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"golang.org/x/oauth2"

	"mfadesk/data"
)

// Discovery names the issuer, S256 only, code only, back-channel logout
// with sid; a TOTP login ends in a code whose exchange (PKCE) gives an ID
// token go-oidc verifies, with the claims of the login and the scopes.
func TestOIDCDiscoveryAndCodeFlow(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	var disco struct {
		Issuer      string   `json:"issuer"`
		PKCE        []string `json:"code_challenge_methods_supported"`
		Responses   []string `json:"response_types_supported"`
		Backchannel bool     `json:"backchannel_logout_supported"`
		BackchSID   bool     `json:"backchannel_logout_session_supported"`
		EndSession  string   `json:"end_session_endpoint"`
		ACRs        []string `json:"acr_values_supported"`
	}
	if err := r.provider.Claims(&disco); err != nil {
		t.Fatal(err)
	}
	if disco.Issuer != a.Config.Origin+"/oidc" || !slices.Equal(disco.PKCE, []string{"S256"}) ||
		!disco.Backchannel || !disco.BackchSID || disco.EndSession == "" || !slices.Contains(disco.ACRs, "urn:mfadesk:acr:phr") {
		t.Errorf("discovery: %+v", disco)
	}

	c := a.newClient()
	tok, claims := r.signIn(c, codeLogin(t, a, c, "demo-app"))
	if claims.ACR != "urn:mfadesk:acr:mfa" || !slices.Equal(claims.AMR, []string{"pwd", "otp", "mfa"}) {
		t.Errorf("acr %q amr %v after a TOTP login", claims.ACR, claims.AMR)
	}
	if claims.SID == "" || claims.AuthTime != a.clock.Now().Unix() {
		t.Errorf("sid %q auth_time %d (now %d)", claims.SID, claims.AuthTime, a.clock.Now().Unix())
	}
	if claims.Sub == "" || claims.Sub == "demo-app" || claims.Sub == "1000001" {
		t.Errorf("sub %q is not an opaque id", claims.Sub)
	}
	if claims.Name != "山田 太郎" || claims.Email != "demo-app@example.jp" || !claims.Verified {
		t.Errorf("profile and email claims: %+v", claims)
	}
	if claims.Phone != "" || claims.Hold != nil {
		t.Errorf("unverified phone or a hold without one: %+v", claims)
	}
	info, err := r.provider.UserInfo(r.ctx, r.oauth.TokenSource(r.ctx, tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Subject != claims.Sub || info.Email != "demo-app@example.jp" {
		t.Errorf("userinfo: %+v", info)
	}
	// Same customer, same sub; access tokens are opaque, not JWTs.
	if _, again := r.signIn(c, nil); again.Sub != claims.Sub || again.SID != claims.SID {
		t.Errorf("second sign-in: sub %q sid %q", again.Sub, again.SID)
	}
	if n := len(tok.AccessToken); n < 40 || json.Valid([]byte(tok.AccessToken)) {
		t.Errorf("access token %d chars", n)
	}
	if got := a.auditActions(50); !slices.Contains(got, "oidc.token") {
		t.Errorf("no oidc.token audit event: %v", got)
	}
	if p := c.get("/oidc/login?id=unknown"); p.status != http.StatusBadRequest {
		t.Errorf("unknown request: %d", p.status)
	}
}

// A public client (a mobile app) has no secret: its code is exchanged
// with the PKCE verifier alone, and without it not at all.
func TestOIDCPublicClientPKCE(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a, func(c *data.OIDCClient) { c.Public, c.SecretHash = true, nil })
	r.oauth.ClientSecret = ""
	r.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	c := a.newClient()
	f, p := r.authorize(c)
	code := r.code(f, follow(c, codeLogin(t, a, c, "demo-app")(p)))
	if _, err := r.oauth.Exchange(r.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("code exchanged with a wrong verifier")
	}
	f2, p := r.authorize(c)
	if _, _, claims := r.exchange(f2, r.code(f2, p)); claims.ACR != "urn:mfadesk:acr:mfa" {
		t.Errorf("public client's ID token: %+v", claims)
	}
}
