package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"mfadesk/idp"
)

// The OpenID Connect conformance profile's basic checks that run offline
// (the Basic OP profile's discovery, code flow, ID token, userinfo and
// error cases), against the whole app, by hand: no relying-party library
// between the test and the wire.

// opRequest is one authorization request of a conformance check.
type opRequest struct {
	state, nonce, verifier string
	extra                  url.Values
}

// newOPRequest has a state with characters that need encoding, so its
// echo is checked byte for byte.
func newOPRequest() opRequest {
	return opRequest{state: "st " + rand.Text() + "/+=&", nonce: "n-" + rand.Text(), verifier: oauth2.GenerateVerifier()}
}

// authorizeURL is the request's URL at the provider for the world's client.
func (w *rpWorld) authorizeURL(r opRequest) string {
	q := url.Values{"client_id": {w.clientID}, "response_type": {"code"}, "scope": {"openid profile email"},
		"redirect_uri": {w.rpURL + "/callback"}, "state": {r.state}, "nonce": {r.nonce},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(r.verifier)}, "code_challenge_method": {"S256"}}
	for k, v := range r.extra {
		q[k] = v
	}
	return w.base + idp.Prefix + "/authorize?" + q.Encode()
}

// authorize follows the provider's redirects until one leaves for the
// relying party, and returns that redirect's URL without following it;
// nil, with the last page, when the provider answered with a page.
func (w *rpWorld) authorize(c *client, rawURL string) (*url.URL, *page) {
	c.t.Helper()
	p, at, left := c.browseUntil(rawURL, func(u *url.URL) bool { return strings.HasPrefix(u.String(), w.rpURL) })
	if !left {
		return nil, p
	}
	u, _ := url.Parse(at)
	return u, p
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Error       string `json:"error"`
}

// exchange posts the code to the token endpoint with client_secret_basic.
func (w *rpWorld) exchange(t *testing.T, code, verifier string) (int, tokenResponse) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {w.rpURL + "/callback"},
		"code_verifier": {verifier}}
	req, _ := http.NewRequest(http.MethodPost, w.base+idp.Prefix+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(w.clientID, w.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out tokenResponse
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("token response %d: %s", resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// getJSON fetches a JSON document, with a bearer token when one is given.
func getJSON(t *testing.T, rawURL, bearer string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("%s: %v", rawURL, err)
		}
	}
	return resp.StatusCode
}

type discovery struct {
	Issuer             string   `json:"issuer"`
	Authorization      string   `json:"authorization_endpoint"`
	Token              string   `json:"token_endpoint"`
	Userinfo           string   `json:"userinfo_endpoint"`
	JWKS               string   `json:"jwks_uri"`
	EndSession         string   `json:"end_session_endpoint"`
	ResponseTypes      []string `json:"response_types_supported"`
	SubjectTypes       []string `json:"subject_types_supported"`
	SigningAlgs        []string `json:"id_token_signing_alg_values_supported"`
	CodeChallenge      []string `json:"code_challenge_methods_supported"`
	Scopes             []string `json:"scopes_supported"`
	ACRValues          []string `json:"acr_values_supported"`
	Backchannel        bool     `json:"backchannel_logout_supported"`
	BackchannelSession bool     `json:"backchannel_logout_session_supported"`
}

// Discovery: the issuer exactly as the ID tokens carry it, its endpoints
// under it, the code flow, public subjects, RS256 and S256 PKCE only.
func TestOIDCConformanceDiscovery(t *testing.T) {
	t.Parallel()
	w := newRPWorld(t)
	issuer := w.base + idp.Prefix
	var d discovery
	if status := getJSON(t, issuer+"/.well-known/openid-configuration", "", &d); status != http.StatusOK {
		t.Fatalf("discovery: %d", status)
	}
	if d.Issuer != issuer {
		t.Errorf("issuer %q, want exactly %q", d.Issuer, issuer)
	}
	for name, u := range map[string]string{"authorization": d.Authorization, "token": d.Token, "userinfo": d.Userinfo,
		"jwks": d.JWKS, "end_session": d.EndSession} {
		if !strings.HasPrefix(u, issuer+"/") {
			t.Errorf("%s endpoint %q not under the issuer", name, u)
		}
	}
	if !slices.Contains(d.ResponseTypes, "code") || !slices.Contains(d.SubjectTypes, "public") ||
		!slices.Contains(d.SigningAlgs, "RS256") || !slices.Equal(d.CodeChallenge, []string{"S256"}) ||
		!slices.Contains(d.Scopes, "openid") || !slices.Equal(d.ACRValues, idp.ACRValues) || !d.Backchannel || !d.BackchannelSession {
		t.Errorf("discovery %+v", d)
	}
}

// The code flow by hand: state echoed exactly, the code exchanged once
// (a second time fails), an RS256 ID token signed by a key of the JWKS
// (kid) with iss, aud, exp, iat, nonce, auth_time and at_hash right, and
// userinfo with the bearer token for the same sub.
func TestOIDCConformanceCodeFlow(t *testing.T) {
	t.Parallel()
	w := newRPWorld(t)
	issuer := w.base + idp.Prefix
	b := loggedInClient(t, w.a, "demo-app")
	r := newOPRequest()
	cb, p := w.authorize(b, w.authorizeURL(r))
	if cb == nil {
		t.Fatalf("no redirect to the client: %d %s", p.status, p.text("error-message"))
	}
	if cb.Path != "/callback" || cb.Query().Get("state") != r.state || cb.Query().Get("code") == "" || cb.Query().Get("error") != "" {
		t.Fatalf("callback %s (state sent %q)", cb, r.state)
	}
	code := cb.Query().Get("code")
	status, tok := w.exchange(t, code, r.verifier)
	if status != http.StatusOK || tok.IDToken == "" || tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn <= 0 {
		t.Fatalf("token: %d %+v", status, tok)
	}

	jws, err := jose.ParseSignedCompact(tok.IDToken, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("ID token is not an RS256 JWS: %v", err)
	}
	var d discovery
	getJSON(t, issuer+"/.well-known/openid-configuration", "", &d)
	var keys jose.JSONWebKeySet
	if status := getJSON(t, d.JWKS, "", &keys); status != http.StatusOK {
		t.Fatalf("jwks: %d", status)
	}
	kid := jws.Signatures[0].Header.KeyID
	found := keys.Key(kid)
	if kid == "" || len(found) != 1 || found[0].Use != "sig" || !found[0].Valid() || !found[0].IsPublic() {
		t.Fatalf("ID token kid %q: JWKS has %+v", kid, found)
	}
	payload, err := jws.Verify(found[0].Key)
	if err != nil {
		t.Fatalf("ID token signature: %v", err)
	}
	var claims struct {
		Iss      string          `json:"iss"`
		Aud      json.RawMessage `json:"aud"`
		Azp      string          `json:"azp"`
		Sub      string          `json:"sub"`
		Exp      int64           `json:"exp"`
		Iat      int64           `json:"iat"`
		AuthTime int64           `json:"auth_time"`
		Nonce    string          `json:"nonce"`
		AtHash   string          `json:"at_hash"`
		ACR      string          `json:"acr"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	var aud []string
	if json.Unmarshal(claims.Aud, &aud) != nil {
		var one string
		_ = json.Unmarshal(claims.Aud, &one)
		aud = []string{one}
	}
	now := time.Now().Unix()
	if claims.Iss != issuer || !slices.Contains(aud, w.clientID) || (len(aud) > 1 && claims.Azp != w.clientID) ||
		claims.Sub == "" || claims.Exp <= now || claims.Iat > now+60 || claims.Exp <= claims.Iat ||
		claims.Nonce != r.nonce || claims.AuthTime == 0 || claims.ACR != idp.ACRMFA {
		t.Errorf("ID token claims %s", payload)
	}
	if claims.AtHash != "" {
		sum := sha256.Sum256([]byte(tok.AccessToken))
		if claims.AtHash != base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]) {
			t.Errorf("at_hash %q does not match the access token", claims.AtHash)
		}
	}

	var info struct {
		Sub string `json:"sub"`
	}
	if status := getJSON(t, d.Userinfo, tok.AccessToken, &info); status != http.StatusOK || info.Sub != claims.Sub {
		t.Errorf("userinfo: %d sub %q, want %q", status, info.Sub, claims.Sub)
	}
	if status := getJSON(t, d.Userinfo, "", &info); status != http.StatusUnauthorized {
		t.Errorf("userinfo without a token: %d", status)
	}
	if status, again := w.exchange(t, code, r.verifier); status != http.StatusBadRequest || again.Error != "invalid_grant" || again.IDToken != "" {
		t.Errorf("code used twice: %d %+v", status, again)
	}
	// A replayed code revokes what it issued (RFC 6749 §4.1.2).
	if status := getJSON(t, d.Userinfo, tok.AccessToken, &info); status == http.StatusOK {
		t.Errorf("access token still works after its code was replayed: %d", status)
	}
}

// The error cases: a redirect URI not registered exactly gets an error
// page at the provider and no redirect; an unsupported response type, a
// missing PKCE challenge and prompt=none without a session go back to the
// client as errors with the state; a wrong code_verifier fails at the
// token endpoint; ui_locales and a claims request are ignored gracefully.
func TestOIDCConformanceErrors(t *testing.T) {
	t.Parallel()
	w := newRPWorld(t)
	anonymous := w.a.newClient()
	for _, uri := range []string{w.rpURL + "/callback/other", w.rpURL + "/callback/", w.rpURL + "/CALLBACK",
		w.rpURL + "/callback?x=1", "https://evil.example/callback"} {
		r := newOPRequest()
		r.extra = url.Values{"redirect_uri": {uri}}
		req, _ := http.NewRequest(http.MethodGet, w.authorizeURL(r), nil)
		p := anonymous.do(req)
		if p.status < 400 || p.location != "" {
			t.Errorf("redirect_uri %s: %d to %q, want an error page and no redirect", uri, p.status, p.location)
		}
	}

	r := newOPRequest()
	r.extra = url.Values{"response_type": {"token"}}
	// Refused either at the provider (an error page: the implicit flow may
	// never send tokens to an http URI) or back at the client with an
	// error; never a code or a token.
	if cb, p := w.authorize(anonymous, w.authorizeURL(r)); cb == nil && p.status < 400 {
		t.Errorf("response_type=token: %d", p.status)
	} else if cb != nil && (cb.Query().Get("error") == "" || cb.Query().Get("code") != "" || cb.Fragment != "" ||
		cb.Query().Get("state") != r.state) {
		t.Errorf("response_type=token: %v", cb)
	}
	r = newOPRequest()
	r.extra = url.Values{"code_challenge": nil, "code_challenge_method": nil}
	if cb, p := w.authorize(anonymous, w.authorizeURL(r)); cb == nil || cb.Query().Get("error") != "invalid_request" || cb.Query().Get("code") != "" {
		t.Errorf("no PKCE challenge: %v (%d)", cb, p.status)
	}
	r = newOPRequest()
	r.extra = url.Values{"prompt": {"none"}}
	if cb, p := w.authorize(anonymous, w.authorizeURL(r)); cb == nil || cb.Query().Get("error") != "login_required" ||
		cb.Query().Get("state") != r.state {
		t.Errorf("prompt=none without a session: %v (%d)", cb, p.status)
	}

	b := loggedInClient(t, w.a, "demo-app")
	r = newOPRequest()
	r.extra = url.Values{"ui_locales": {"en fr-CA"}, "claims": {`{"userinfo":{"given_name":{"essential":true}},"id_token":{"acr":null}}`}}
	cb, p := w.authorize(b, w.authorizeURL(r))
	if cb == nil || cb.Query().Get("code") == "" {
		t.Fatalf("ui_locales and claims: %v (%d %s)", cb, p.status, p.text("error-message"))
	}
	if status, tok := w.exchange(t, cb.Query().Get("code"), oauth2.GenerateVerifier()); status != http.StatusBadRequest || tok.Error != "invalid_grant" {
		t.Errorf("wrong code_verifier: %d %+v", status, tok)
	}
}

// A secret rotated in the console stops working at the token endpoint at
// once and the new one works; a disabled client signs nobody in.
func TestOIDCClientRotationAndDisableAtTheProvider(t *testing.T) {
	t.Parallel()
	w := newRPWorld(t)
	admin := w.a.staffLogin("admin")
	admin.get("/console/oidc-clients/" + w.clientID)
	rotated := admin.post("/console/oidc-clients/"+w.clientID+"/secret", nil).text("client-secret")
	if rotated == "" {
		t.Fatal("no new secret shown")
	}
	b := loggedInClient(t, w.a, "demo-app")
	r := newOPRequest()
	cb, p := w.authorize(b, w.authorizeURL(r))
	if cb == nil {
		t.Fatalf("authorize: %d", p.status)
	}
	if status, tok := w.exchange(t, cb.Query().Get("code"), r.verifier); status != http.StatusUnauthorized || tok.Error != "invalid_client" {
		t.Errorf("old secret after rotation: %d %+v", status, tok)
	}
	w.secret = rotated
	r = newOPRequest()
	if cb, p = w.authorize(b, w.authorizeURL(r)); cb == nil {
		t.Fatalf("authorize: %d", p.status)
	}
	if status, tok := w.exchange(t, cb.Query().Get("code"), r.verifier); status != http.StatusOK || tok.IDToken == "" {
		t.Errorf("new secret: %d %+v", status, tok)
	}

	admin.get("/console/oidc-clients/" + w.clientID)
	if p := admin.post("/console/oidc-clients/"+w.clientID+"/disable", nil); p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	r = newOPRequest()
	if cb, p := w.authorize(b, w.authorizeURL(r)); cb != nil && cb.Query().Get("code") != "" || cb == nil && p.status < 400 {
		t.Errorf("disabled client: %v %d", cb, p.status)
	}
}
