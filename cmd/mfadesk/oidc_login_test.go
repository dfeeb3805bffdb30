package main

import (
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

// An SMS login is pwd+sms, class mfa; the phone scope gives the verified
// number; a support hold shows as withdrawal_hold_until.
func TestOIDCSMSLoginClaims(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	hold := a.clock.Now().Add(72 * time.Hour)
	if err := a.DB.InTx(t.Context(), func(tx *data.Tx) error {
		return tx.HoldWithdrawals(t.Context(), a.customerID("demo-sms"), hold, "support_reset")
	}); err != nil {
		t.Fatal(err)
	}
	c := a.newClient()
	_, claims := r.signIn(c, codeLogin(t, a, c, "demo-sms"))
	if claims.ACR != idp.ACRMFA || !slices.Equal(claims.AMR, []string{"pwd", "sms", "mfa"}) {
		t.Errorf("acr %q amr %v after an SMS login", claims.ACR, claims.AMR)
	}
	if claims.Phone != "+819000000002" {
		t.Errorf("phone %q", claims.Phone)
	}
	if claims.Hold == nil || *claims.Hold != hold.Unix() {
		t.Errorf("withdrawal_hold_until %v, want %d", claims.Hold, hold.Unix())
	}
}

// passkeyInFlow registers a soft passkey for demo-app (in another
// browser c, logged in) and returns it, set for the app's origin.
func passkeyInFlow(t *testing.T, a *testApp, c *client) *softKey {
	t.Helper()
	key := newSoftKey()
	key.rp.Origin = a.Config.Origin
	key.register(t, a, c, "demo-app", demoTOTPSecret)
	return key
}

// passkeyLoginIn logs in with the passkey alone in c (sent to /login by
// the provider) and returns the way back to the provider.
func passkeyLoginIn(t *testing.T, c *client, key *softKey) func(*page) *page {
	return func(p *page) *page {
		t.Helper()
		if p.location != "/login" {
			t.Fatalf("provider did not send to the login: %d %q", p.status, p.location)
		}
		c.get("/login")
		status, _, body := c.passkeyPost("/login/passkey/options", nil)
		if status != http.StatusOK {
			t.Fatalf("options: %d %s", status, body)
		}
		status, out, _ := c.passkeyPost("/login/passkey", url.Values{"credential": {key.assert(t, body)}})
		next, _ := out["redirect"].(string)
		if status != http.StatusOK || !strings.HasPrefix(next, "/oidc/login?id=") {
			t.Fatalf("passkey login: %d %v", status, out)
		}
		return &page{status: http.StatusSeeOther, location: next}
	}
}

// A passkey login is class phr with amr hwk (the soft key is not
// synced), user (verified) and mfa.
func TestOIDCPasskeyLoginClaims(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	key := passkeyInFlow(t, a, loggedInClient(t, a, "demo-app"))
	c := a.newClient()
	_, claims := r.signIn(c, passkeyLoginIn(t, c, key), oauth2.SetAuthURLParam("acr_values", idp.ACRPhishingResistant))
	if claims.ACR != idp.ACRPhishingResistant || !slices.Equal(claims.AMR, []string{"hwk", "user", "mfa"}) {
		t.Errorf("acr %q amr %v after a passkey login", claims.ACR, claims.AMR)
	}
}

// totpStepUp passes the step-up op with the app's code at the next TOTP
// step, and returns the answer without following it.
func totpStepUp(t *testing.T, a *testApp, c *client, op string) *page {
	t.Helper()
	if p := c.get("/stepup?op=" + url.QueryEscape(op)); p.status != http.StatusOK {
		t.Fatalf("step-up page: %d %q", p.status, p.location)
	}
	a.clock.Advance(30 * time.Second)
	return c.post("/stepup", url.Values{"op": {op}, "method": {"totp"}, "code": {totpAt(t, a.clock.Now())}})
}

// stepUpOp reads the step-up operation the provider sent the browser to.
func stepUpOp(t *testing.T, p *page) string {
	t.Helper()
	op, ok := strings.CutPrefix(p.location, "/stepup?op=")
	if !ok {
		t.Fatalf("not sent to a step-up: %d %q", p.status, p.location)
	}
	op, _ = url.QueryUnescape(op)
	return op
}

// max_age=0 makes a customer with a live session pass a fresh second
// factor now: no code before it, and the ID token's auth_time is the
// step-up's.
func TestOIDCMaxAgeZeroStepUp(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	c := loggedInClient(t, a, "demo-app")
	loggedInAt := a.clock.Now()
	a.clock.Advance(10 * time.Minute)

	f, p := r.authorize(c, oauth2.SetAuthURLParam("max_age", "0"))
	op := stepUpOp(t, p)
	if p := follow(c, &page{location: "/oidc/login?id=" + strings.TrimPrefix(op, "oidc:")}); stepUpOp(t, p) != op {
		t.Fatalf("the request went on without its step-up: %q", p.location)
	}
	back := totpStepUp(t, a, c, op)
	_, _, claims := r.exchange(f, r.code(f, follow(c, back)))
	if claims.AuthTime != a.clock.Now().Unix() || claims.AuthTime <= loggedInAt.Unix() {
		t.Errorf("auth_time %d, want the step-up's %d", claims.AuthTime, a.clock.Now().Unix())
	}
	if claims.ACR != idp.ACRMFA || !slices.Equal(claims.AMR, []string{"pwd", "otp", "mfa"}) {
		t.Errorf("acr %q amr %v after a TOTP step-up", claims.ACR, claims.AMR)
	}
}

// A client that requires phr, or a request for it, with a session that
// logged in by TOTP: the customer steps up with their passkey, and only
// then does a phr token come; the code form of the step-up is refused.
func TestOIDCPhishingResistantStepUp(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a, func(c *data.OIDCClient) { c.RequiredACR = idp.ACRPhishingResistant })
	c := loggedInClient(t, a, "demo-app")
	key := passkeyInFlow(t, a, c)
	f, p := r.authorize(c)
	op, ok := strings.CutPrefix(p.location, "/stepup?op=")
	if op, _ = url.QueryUnescape(op); !ok || !strings.HasPrefix(op, "oidc-phr:") {
		t.Fatalf("phr with a TOTP session: %q", p.location)
	}
	a.clock.Advance(30 * time.Second)
	if p := c.post("/stepup", url.Values{"op": {op}, "method": {"totp"}, "code": {totpAt(t, a.clock.Now())}}); strings.HasPrefix(p.location, "/oidc/") {
		t.Fatalf("a TOTP code passed a phr step-up: %q", p.location)
	}
	c.get("/stepup?op=" + url.QueryEscape(op))
	status, _, body := c.passkeyPost("/stepup/passkey/options", url.Values{"op": {op}})
	if status != http.StatusOK {
		t.Fatalf("step-up options: %d %s", status, body)
	}
	status, out, _ := c.passkeyPost("/stepup/passkey", url.Values{"op": {op}, "credential": {key.assert(t, body)}})
	next, _ := out["redirect"].(string)
	if status != http.StatusOK || !strings.HasPrefix(next, "/oidc/login?id=") {
		t.Fatalf("passkey step-up: %d %v", status, out)
	}
	_, _, claims := r.exchange(f, r.code(f, follow(c, &page{location: next})))
	if claims.ACR != idp.ACRPhishingResistant || !slices.Contains(claims.AMR, "user") {
		t.Errorf("acr %q amr %v after a passkey step-up", claims.ACR, claims.AMR)
	}
}

// acr_values=phr for a customer without a passkey: the relying party gets
// unmet_authentication_requirements and no code, never a weaker token;
// prompt=none without a session gets login_required.
func TestOIDCRefusals(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	c := loggedInClient(t, a, "demo-sms")
	_, p := r.authorize(c, oauth2.SetAuthURLParam("acr_values", idp.ACRPhishingResistant))
	if q := r.answer(p); q.Get("error") != "unmet_authentication_requirements" || q.Get("code") != "" {
		t.Errorf("phr without a passkey: %v", q)
	}
	_, p = r.authorize(a.newClient(), oauth2.SetAuthURLParam("prompt", "none"))
	if q := r.answer(p); q.Get("error") != "login_required" || q.Get("code") != "" {
		t.Errorf("prompt=none without a session: %v", q)
	}
	if got := a.auditActions(20); !slices.Contains(got, "oidc.login") {
		t.Errorf("refusals not audited: %v", got)
	}
}

// The redirect URI must match a registered one exactly: a longer path or
// an added query is refused without a redirect, and so is a request
// without PKCE.
func TestOIDCRedirectURIExact(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	c := a.newClient()
	for _, uri := range []string{rpRedirect + "/x", rpRedirect + "?x=1", "https://rp.example/cb2", "https://RP.example/cb"} {
		bad := r.oauth
		bad.RedirectURL = uri
		u, _ := url.Parse(bad.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if p := c.get(u.RequestURI()); p.status != http.StatusBadRequest || p.location != "" {
			t.Errorf("redirect %q: %d %q", uri, p.status, p.location)
		}
	}
	u, _ := url.Parse(r.oauth.AuthCodeURL("s"))
	if p := c.get(u.RequestURI()); !strings.Contains(r.answer(p).Get("error_description"), "PKCE") {
		t.Errorf("no PKCE: %q", p.location)
	}
}

// A code is exchanged once: the second exchange fails and revokes the
// access token the first one gave.
func TestOIDCCodeReuse(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	c := a.newClient()
	f, p := r.authorize(c)
	code := r.code(f, follow(c, codeLogin(t, a, c, "demo-app")(p)))
	tok, _, _ := r.exchange(f, code)
	if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatalf("userinfo before reuse: %v", err)
	}
	if _, err := r.oauth.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier)); err == nil {
		t.Fatal("a code was exchanged twice")
	}
	if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the first exchange's access token survived the code's reuse")
	}
}

// A temporary pass's session, which may only enrol a factor, signs no
// relying party in.
func TestOIDCTempPassSessionRefused(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t)
	r := newRP(t, a)
	c, p := tempPassLogin(a, "demo-app", resetWithPass(t, a, "demo-app"))
	if p.location != "/settings/mfa" {
		t.Fatalf("temp pass login: %d %q", p.status, p.location)
	}
	_, p = r.authorize(c)
	if q := r.answer(p); q.Get("error") != "access_denied" || q.Get("code") != "" {
		t.Errorf("temp pass session: %v", q)
	}
}
