package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"mfadesk/data"
	"mfadesk/idp"
)

// tokenAnswer is the token endpoint's status and JSON answer.
type tokenAnswer struct {
	status  int
	Error   string `json:"error"`
	IDToken string `json:"id_token"`
}

// postToken exchanges code at the token endpoint as clientID with secret
// (client_secret_basic; none when the secret is empty).
func postToken(t *testing.T, a *testApp, clientID, secret, code, redirect, verifier string) tokenAnswer {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"code_verifier": {verifier}}
	if secret == "" {
		form.Set("client_id", clientID)
	}
	req, _ := http.NewRequest(http.MethodPost, a.Config.Origin+idp.Prefix+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := tokenAnswer{status: resp.StatusCode}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("token answer %d: %s", resp.StatusCode, b)
	}
	return out
}

// A failed client authentication at the token endpoint leaves the code
// alone: a wrong secret, another client's credentials, an unknown client,
// a wrong redirect_uri, and the legitimate client's exchange still works
// afterwards. A wrong code_verifier from the authenticated client uses
// the code up: it is never tried twice.
func TestOIDCCodeSurvivesFailedClientAuth(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	other := newRP(t, a)
	c := a.newClient()
	f, p := r.authorize(c)
	code := r.code(f, follow(c, codeLogin(t, a, c, "demo-app")(p)))
	for name, try := range map[string]struct{ id, secret, redirect, verifier string }{
		"wrong secret":       {r.client.ID, "wrong-" + r.secret, rpRedirect, f.verifier},
		"empty secret":       {r.client.ID, "", rpRedirect, f.verifier},
		"another client":     {other.client.ID, other.secret, rpRedirect, f.verifier},
		"unknown client":     {"unknown", r.secret, rpRedirect, f.verifier},
		"wrong redirect_uri": {r.client.ID, r.secret, rpRedirect + "/x", f.verifier},
		"wrong secret, wrong verifier": {r.client.ID, "wrong-" + r.secret, rpRedirect,
			oauth2.GenerateVerifier()},
	} {
		if got := postToken(t, a, try.id, try.secret, code, try.redirect, try.verifier); got.status < 400 ||
			got.IDToken != "" || got.Error != "invalid_client" && got.Error != "invalid_grant" {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if got := postToken(t, a, r.client.ID, r.secret, code, rpRedirect, f.verifier); got.status != http.StatusOK || got.IDToken == "" {
		t.Fatalf("the legitimate exchange after failed client authentications: %+v", got)
	}

	// A wrong verifier from the code's own, authenticated client burns the code.
	f, p = r.authorize(c)
	code = r.code(f, p)
	if got := postToken(t, a, r.client.ID, r.secret, code, rpRedirect, oauth2.GenerateVerifier()); got.Error != "invalid_grant" {
		t.Errorf("wrong verifier: %+v", got)
	}
	if got := postToken(t, a, r.client.ID, r.secret, code, rpRedirect, f.verifier); got.Error != "invalid_grant" || got.IDToken != "" {
		t.Errorf("the code worked after a wrong verifier: %+v", got)
	}
	if got := a.auditActions(30); !slices.Contains(got, "oidc.code") {
		t.Errorf("wrong verifier not audited: %v", got)
	}

	// A public client's code (client_id alone, PKCE) is likewise left alone
	// by another client's id.
	pub := newRP(t, a, func(c *data.OIDCClient) { c.Public, c.SecretHash = true, nil })
	f, p = pub.authorize(c)
	code = pub.code(f, p)
	if got := postToken(t, a, r.client.ID, "", code, rpRedirect, f.verifier); got.IDToken != "" {
		t.Errorf("a confidential client without its secret: %+v", got)
	}
	if got := postToken(t, a, pub.client.ID, "", code, rpRedirect, f.verifier); got.status != http.StatusOK || got.IDToken == "" {
		t.Errorf("the public client's exchange: %+v", got)
	}
}

// Discovery advertises the code flow alone, and an authorisation request
// for any other response type goes back to the relying party with
// unsupported_response_type (state echoed, no code, no token), or, with
// an unregistered redirect URI, stays on mfadesk's error page.
func TestOIDCOnlyCodeResponseType(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	var disco struct {
		ResponseTypes []string `json:"response_types_supported"`
	}
	if err := r.provider.Claims(&disco); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(disco.ResponseTypes, []string{"code"}) {
		t.Errorf("response_types_supported %v, want [code]", disco.ResponseTypes)
	}
	c := loggedInClient(t, a, "demo-app")
	for _, rt := range []string{"id_token", "id_token token", "code id_token", "code token", "code id_token token", "token", "none"} {
		u, _ := url.Parse(r.oauth.AuthCodeURL("st-"+rt, oauth2.SetAuthURLParam("response_type", rt),
			oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("nonce", "n")))
		p := c.get(u.RequestURI())
		if !strings.HasPrefix(p.location, rpRedirect+"?") {
			t.Errorf("response_type %q: %d %q, want a redirect to the relying party", rt, p.status, p.location)
			continue
		}
		cb, _ := url.Parse(p.location)
		if q := cb.Query(); q.Get("error") != "unsupported_response_type" || q.Get("state") != "st-"+rt || q.Get("code") != "" ||
			q.Get("access_token") != "" || q.Get("id_token") != "" || cb.Fragment != "" {
			t.Errorf("response_type %q: %s", rt, p.location)
		}
		bad := r.oauth
		bad.RedirectURL = "https://evil.example/cb"
		u, _ = url.Parse(bad.AuthCodeURL("s", oauth2.SetAuthURLParam("response_type", rt),
			oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if p := c.get(u.RequestURI()); p.status != http.StatusBadRequest || p.location != "" {
			t.Errorf("response_type %q with an unregistered redirect: %d %q", rt, p.status, p.location)
		}
	}
}

// Userinfo answers an access token that is revoked (its session ended),
// expired, unknown or garbage with 401 and a Bearer challenge naming
// invalid_token (RFC 6750 §3.1), and no token at all with 401 and a bare
// challenge; a live token still gets the claims.
func TestOIDCUserinfoInvalidToken(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	userinfo := func(auth string) (int, string, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, a.Config.Origin+idp.Prefix+"/userinfo", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &body)
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body
	}
	invalid := func(what, auth string) {
		t.Helper()
		status, challenge, body := userinfo(auth)
		if status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Bearer ") ||
			!strings.Contains(challenge, `error="invalid_token"`) || body["error"] != "invalid_token" {
			t.Errorf("%s: %d %q %v", what, status, challenge, body)
		}
	}

	c := a.newClient()
	tok, _ := r.signIn(c, codeLogin(t, a, c, "demo-app"))
	if status, _, body := userinfo("Bearer " + tok.AccessToken); status != http.StatusOK || body["sub"] == "" {
		t.Fatalf("live token: %d %v", status, body)
	}
	c2 := a.newClient()
	tok2, _ := r.signIn(c2, codeLogin(t, a, c2, "demo-sms"))

	invalid("garbage", "Bearer garbage")
	invalid("garbage that decodes", "Bearer "+base64.RawURLEncoding.EncodeToString([]byte("nosuchtoken:nosuchsub")))
	invalid("another token's subject", "Bearer "+base64.RawURLEncoding.EncodeToString([]byte("x:y:z")))
	if status, challenge, _ := userinfo(""); status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Bearer") ||
		strings.Contains(challenge, "error=") {
		t.Errorf("no token: %d %q", status, challenge)
	}

	c.get("/home")
	if p := c.post("/logout", nil); p.location != "/login?notice=logout" {
		t.Fatalf("logout: %d %q", p.status, p.location)
	}
	invalid("session ended", "Bearer "+tok.AccessToken)

	a.clock.Advance(16 * time.Minute) // past the access token's 15 minutes
	invalid("expired", "Bearer "+tok2.AccessToken)
}
