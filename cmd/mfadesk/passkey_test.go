package main

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
)

// softKey is a software authenticator holding one passkey, standing in for
// a phone's platform authenticator.
type softKey struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newSoftKey() *softKey {
	return &softKey{
		rp:   virtualwebauthn.RelyingParty{ID: "localhost", Name: "mfadesk証券", Origin: "http://localhost:8080"},
		auth: virtualwebauthn.NewAuthenticator(),
		cred: newSoftCredential(),
	}
}

// newSoftCredential makes a P-256 credential whose public key coordinates
// are full 32 bytes. The library writes them with big.Int.Bytes, which
// drops leading zeros, and a relying party rightly rejects the short
// coordinate that results about once in a hundred keys.
func newSoftCredential() virtualwebauthn.Credential {
	for {
		cred := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)
		key, err := x509.ParsePKCS8PrivateKey(cred.Key.Data)
		if err != nil {
			panic(err)
		}
		ec := key.(*ecdsa.PrivateKey)
		if len(ec.X.Bytes()) == 32 && len(ec.Y.Bytes()) == 32 {
			return cred
		}
	}
}

// passkeyPost posts a form and decodes the JSON answer of a passkey endpoint.
func (c *client) passkeyPost(path string, form url.Values) (int, map[string]any, string) {
	c.t.Helper()
	p := c.post(path, form)
	var out map[string]any
	_ = json.Unmarshal([]byte(p.body), &out)
	return p.status, out, p.body
}

// register adds the soft key as a passkey of the logged-in customer: a
// fresh step-up, then the ceremony with name and trading password.
func (k *softKey) register(t *testing.T, a *testApp, c *client, loginID, secret string) {
	t.Helper()
	if p := stepUp(t, a, c, "mfa", loginID, secret); p.location != "/settings/mfa" {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	c.get("/settings/passkeys")
	status, _, body := c.passkeyPost("/settings/passkeys/options", nil)
	if status != http.StatusOK {
		t.Fatalf("registration options: %d %s", status, body)
	}
	opts, err := virtualwebauthn.ParseAttestationOptions(body)
	if err != nil {
		t.Fatalf("parse attestation options: %v", err)
	}
	if !strings.Contains(body, `"residentKey":"required"`) || !strings.Contains(body, `"userVerification":"required"`) {
		t.Fatalf("registration does not require a discoverable credential with user verification: %s", body)
	}
	k.auth.Options.UserHandle = []byte(opts.UserID)
	resp := virtualwebauthn.CreateAttestationResponse(k.rp, k.auth, k.cred, *opts)
	status, out, body := c.passkeyPost("/settings/passkeys", url.Values{"credential": {resp}, "name": {"テスト端末"},
		"trading_password": {demoTradingPassword}})
	if status != http.StatusOK || out["ok"] != true {
		t.Fatalf("register: %d %s", status, body)
	}
	k.auth.AddCredential(k.cred)
}

// assert answers the options of a passkey ceremony, counting up the
// signature counter as a real authenticator does.
func (k *softKey) assert(t *testing.T, optionsJSON string) string {
	t.Helper()
	opts, err := virtualwebauthn.ParseAssertionOptions(optionsJSON)
	if err != nil {
		t.Fatalf("parse assertion options: %v (%s)", err, optionsJSON)
	}
	k.cred.Counter++
	return virtualwebauthn.CreateAssertionResponse(k.rp, k.auth, k.cred, *opts)
}

// passkeyLogin logs in with the passkey alone from a fresh browser.
func (k *softKey) passkeyLogin(t *testing.T, a *testApp) (*client, int, map[string]any) {
	t.Helper()
	c := a.newClient()
	c.get("/login")
	status, _, body := c.passkeyPost("/login/passkey/options", nil)
	if status != http.StatusOK {
		t.Fatalf("login options: %d %s", status, body)
	}
	if strings.Contains(body, "allowCredentials") {
		t.Fatalf("passkey login options list credentials, revealing accounts: %s", body)
	}
	status, out, _ := c.passkeyPost("/login/passkey", url.Values{"credential": {k.assert(t, body)}})
	return c, status, out
}

func TestPasskeyRegisterLoginAndStepUp(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email")
	key := newSoftKey()
	key.register(t, a, c, "demo-email", "")
	if p := c.get("/settings/passkeys"); !p.has("passkey-row") || !strings.Contains(p.body, "テスト端末") {
		t.Fatal("registered passkey not listed by name")
	}
	l, status, out := key.passkeyLogin(t, a)
	if status != http.StatusOK || out["redirect"] != "/home" {
		t.Fatalf("passkey login: %d %v", status, out)
	}
	if p := l.get("/home"); p.status != http.StatusOK || !strings.Contains(p.text("welcome"), "鈴木") {
		t.Fatalf("home after passkey login: %d", p.status)
	}
	// The passkey is now the first method everywhere, and passes a step-up.
	if p := l.get("/stepup?op=mfa"); !p.has("passkey-check") || p.has("verify-form") {
		t.Fatal("step-up does not offer the passkey first")
	}
	status, _, body := l.passkeyPost("/stepup/passkey/options", url.Values{"op": {"mfa"}})
	if status != http.StatusOK {
		t.Fatalf("step-up options: %d %s", status, body)
	}
	status, out, _ = l.passkeyPost("/stepup/passkey", url.Values{"op": {"mfa"}, "credential": {key.assert(t, body)}})
	if status != http.StatusOK || out["redirect"] != "/settings/mfa" {
		t.Fatalf("step-up with passkey: %d %v", status, out)
	}
	l.get("/settings/mfa")
	if p := l.get("/settings/mfa"); p.has("stepup-needed") {
		t.Fatal("step-up with the passkey did not count")
	}
	// After the password, the passkey is offered as the second factor.
	p := pendingClient(t, a, "demo-email")
	if !p.get("/login/verify").has("passkey-check") {
		t.Fatal("second factor after password does not offer the passkey")
	}
	status, _, body = p.passkeyPost("/login/verify/passkey/options", nil)
	if status != http.StatusOK {
		t.Fatalf("second-factor options: %d %s", status, body)
	}
	status, out, _ = p.passkeyPost("/login/verify/passkey", url.Values{"credential": {key.assert(t, body)}})
	if status != http.StatusOK || out["redirect"] != "/home" {
		t.Fatalf("passkey as second factor: %d %v", status, out)
	}
}

// docs/security.md S39–S41: what a passkey login must refuse.
func TestPasskeyRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spoil func(k *softKey, a *testApp, t *testing.T)
	}{
		{"wrong origin", func(k *softKey, _ *testApp, _ *testing.T) { k.rp.Origin = "https://mfadesk-login.example" }},
		{"wrong RP ID", func(k *softKey, _ *testApp, _ *testing.T) { k.rp.ID = "mfadesk-login.example" }},
		{"user verification missing", func(k *softKey, _ *testApp, _ *testing.T) { k.auth.Options.UserNotVerified = true }},
		{"counter goes backwards", func(k *softKey, a *testApp, t *testing.T) {
			if _, status, _ := k.passkeyLogin(t, a); status != http.StatusOK {
				t.Fatalf("first login: %d", status)
			}
			k.cred.Counter = 0 // a clone copied before the last use signs with an old counter
		}},
		{"another customer's credential", func(k *softKey, _ *testApp, _ *testing.T) {
			k.cred = newSoftCredential() // same user handle, unknown key
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			key := newSoftKey()
			key.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
			tt.spoil(key, a, t)
			c, status, out := key.passkeyLogin(t, a)
			if status == http.StatusOK || out["ok"] == true {
				t.Fatalf("passkey login passed: %d %v", status, out)
			}
			if p := c.get("/home"); p.status == http.StatusOK {
				t.Fatal("refused passkey login left a logged-in session")
			}
		})
	}
}

func TestPasskeyAssertionAcceptedOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	key := newSoftKey()
	key.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	c := a.newClient()
	c.get("/login")
	_, _, body := c.passkeyPost("/login/passkey/options", nil)
	assertion := key.assert(t, body)
	if status, out, _ := c.passkeyPost("/login/passkey", url.Values{"credential": {assertion}}); status != http.StatusOK {
		t.Fatalf("first use: %d %v", status, out)
	}
	// Replayed from another browser with the same assertion: no ceremony, refused.
	r := a.newClient()
	r.get("/login")
	r.passkeyPost("/login/passkey/options", nil)
	if status, out, _ := r.passkeyPost("/login/passkey", url.Values{"credential": {assertion}}); status == http.StatusOK {
		t.Fatalf("replayed assertion accepted: %v", out)
	}
}

// A passkey of one customer does not pass another customer's second factor.
func TestPasskeyOfAnotherCustomerRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	key := newSoftKey()
	key.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	other := newSoftKey()
	a.clock.Advance(30 * time.Second)
	other.register(t, a, loggedInClient(t, a, "demo-app"), "demo-app", demoTOTPSecret)
	// demo-app after password: answer its ceremony with demo-email's key.
	a.clock.Advance(61 * time.Second)
	p := pendingClient(t, a, "demo-app")
	_, _, body := p.passkeyPost("/login/verify/passkey/options", nil)
	if status, out, _ := p.passkeyPost("/login/verify/passkey", url.Values{"credential": {key.assert(t, body)}}); status == http.StatusOK {
		t.Fatalf("another customer's passkey passed: %v", out)
	}
}

func TestRemovedPasskeyRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email")
	key := newSoftKey()
	key.register(t, a, c, "demo-email", "")
	page := c.get("/settings/passkeys")
	var action string
	for _, f := range page.forms() {
		if strings.HasSuffix(attr(f, "action"), "/remove") {
			action = attr(f, "action")
		}
	}
	if p := c.post(action, nil); p.location != "/settings/passkeys?notice=removed" {
		t.Fatalf("remove: %d %q", p.status, p.location)
	}
	if _, status, _ := key.passkeyLogin(t, a); status == http.StatusOK {
		t.Fatal("removed passkey still logs in")
	}
}

// docs/security.md S42: with both phases on, a customer with a passkey cannot pass
// login, withdrawal or bank change any other way, even by posting directly.
func TestPhishingResistantPhasesRefuseOtherFactors(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	key := newSoftKey()
	key.register(t, a, c, "demo-app", demoTOTPSecret)
	codes := recoveryCodes(t, c) // the step-up for the registration is still fresh

	a.MFA.Config.PhishingResistantFrom = a.clock.Now().Add(-time.Hour)
	a.MFA.Config.InterimMethodsUntil = a.clock.Now().Add(-time.Minute)
	a.clock.Advance(30 * time.Second)

	// Login: the page offers only the passkey; TOTP and recovery codes posted anyway are refused.
	p := pendingClient(t, a, "demo-app")
	v := p.get("/login/verify")
	if !v.has("passkey-check") || v.has("switch-recovery") || v.has("switch-totp") {
		t.Fatal("login offers other methods in the phishing-resistant phase")
	}
	if r := p.post("/login/method", url.Values{"method": {"totp"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("switch to TOTP: %d", r.status)
	}
	for _, method := range []string{"totp", "recovery"} {
		forced := pendingClient(t, a, "demo-app")
		if err := a.DB.SetSessionMethod(t.Context(), sessionHashOf(forced), method); err != nil {
			t.Fatal(err)
		}
		code := a.totpNow(demoTOTPSecret)
		if method == "recovery" {
			code = codes[0]
		}
		if r := forced.submitCode(code); r.location == "/home" {
			t.Fatalf("%s passed login in the phishing-resistant phase", method)
		}
	}
	// Withdrawal and bank change: step-up offers only the passkey; a TOTP code posted is refused.
	c = passkeyClient(t, a, key)
	c.get("/withdrawal")
	op := mustURL(c.post("/withdrawal", url.Values{"amount": {"1000"}}).location).Query().Get("op")
	for _, stepOp := range []string{op, "bank"} {
		if sp := c.get("/stepup?op=" + url.QueryEscape(stepOp)); !sp.has("passkey-check") || sp.has("switch-totp") || sp.has("verify-form") {
			t.Fatalf("step-up for %s offers other methods", stepOp)
		}
		a.clock.Advance(30 * time.Second)
		r := c.post("/stepup", url.Values{"op": {stepOp}, "method": {"totp"}, "code": {a.totpNow(demoTOTPSecret)}})
		if r.location != "" {
			t.Fatalf("TOTP passed the %s step-up: %q", stepOp, r.location)
		}
	}
	// The passkey itself still passes.
	_, _, body := c.passkeyPost("/stepup/passkey/options", url.Values{"op": {"bank"}})
	if status, out, _ := c.passkeyPost("/stepup/passkey", url.Values{"op": {"bank"}, "credential": {key.assert(t, body)}}); status != http.StatusOK {
		t.Fatalf("passkey step-up for bank: %d %v", status, out)
	}
}

// In the first phase a customer without a passkey is prompted after login
// and shown the schedule; 「あとで」 works a limited number of times.
func TestPasskeyPromptWithSchedule(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, func(cfg *Config) {
		cfg.MFA.PhishingResistantFrom = testStart.Add(-24 * time.Hour)
		cfg.MFA.InterimMethodsUntil = testStart.Add(90 * 24 * time.Hour)
		cfg.MFA.PasskeyPostpones = 2
	})
	for i := 0; i < 3; i++ {
		c := pendingClient(t, a, "demo-app")
		r := c.submitCode(a.totpNow(demoTOTPSecret))
		if r.location != "/passkey/prompt" {
			t.Fatalf("login %d went to %q, not the passkey prompt", i, r.location)
		}
		p := c.get("/passkey/prompt")
		if !p.has("passkey-schedule") || !strings.Contains(p.text("passkey-schedule"), "2027年2月27日") {
			t.Fatalf("prompt without the schedule: %q", p.text("passkey-schedule"))
		}
		if i < 2 {
			if r := c.post("/passkey/prompt/postpone", nil); r.location != "/home" {
				t.Fatalf("postpone %d: %q", i, r.location)
			}
		} else if p.has("prompt-postpone") {
			t.Fatal("postponing offered beyond the limit")
		}
		a.clock.Advance(30 * time.Second)
	}
}

func TestNewDeviceLoginNotice(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	count := func() int {
		n := 0
		for _, m := range a.outbox() {
			if m.To == "demo-app@example.jp" && strings.Contains(m.Subject, "新しい端末") {
				n++
			}
		}
		return n
	}
	c := a.newClient()
	login := func() {
		c.login("demo-app", demoPassword)
		c.get("/login/verify")
		if r := c.submitCode(a.totpNow(demoTOTPSecret)); r.location != "/home" {
			t.Fatalf("login: %q", r.location)
		}
		a.clock.Advance(30 * time.Second)
	}
	login()
	if count() != 1 {
		t.Fatalf("first login from a browser: %d notices", count())
	}
	c.post("/logout", nil)
	login()
	if count() != 1 {
		t.Fatalf("repeat login from the same browser sent a notice (%d)", count())
	}
	c = a.newClient() // another browser
	login()
	if count() != 2 {
		t.Fatalf("login from a new browser: %d notices, want 2", count())
	}
}

func passkeyClient(t *testing.T, a *testApp, k *softKey) *client {
	t.Helper()
	c, status, out := k.passkeyLogin(t, a)
	if status != http.StatusOK {
		t.Fatalf("passkey login: %d %v", status, out)
	}
	c.get("/home")
	return c
}

func recoveryCodes(t *testing.T, c *client) []string {
	t.Helper()
	p := c.post("/settings/mfa/recovery", nil)
	var codes []string
	for _, line := range strings.Split(p.text("recovery-codes"), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			codes = append(codes, s)
		}
	}
	if len(codes) == 0 {
		t.Fatalf("no recovery codes: %d", p.status)
	}
	return codes
}

// sessionHashOf is the stored id of a client's session, for tests that
// tamper with it the way a forged request would.
func sessionHashOf(c *client) string {
	return hashTokenForTest(c.cookie())
}

// A registration whose attestation does not check out (another origin,
// another RP ID, no user verification) is refused and stores nothing,
// even with the right trading password.
func TestPasskeyRegistrationRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spoil func(k *softKey)
	}{
		{"wrong origin", func(k *softKey) { k.rp.Origin = "https://mfadesk-login.example" }},
		{"wrong RP ID", func(k *softKey) { k.rp.ID = "mfadesk-login.example" }},
		{"user verification missing", func(k *softKey) { k.auth.Options.UserNotVerified = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			c := loggedInClient(t, a, "demo-email")
			if p := stepUp(t, a, c, "mfa", "demo-email", ""); p.location != "/settings/mfa" {
				t.Fatalf("step-up: %d %q", p.status, p.location)
			}
			c.get("/settings/passkeys")
			status, _, body := c.passkeyPost("/settings/passkeys/options", nil)
			if status != http.StatusOK {
				t.Fatalf("registration options: %d %s", status, body)
			}
			opts, err := virtualwebauthn.ParseAttestationOptions(body)
			if err != nil {
				t.Fatal(err)
			}
			key := newSoftKey()
			key.auth.Options.UserHandle = []byte(opts.UserID)
			tt.spoil(key)
			resp := virtualwebauthn.CreateAttestationResponse(key.rp, key.auth, key.cred, *opts)
			status, out, _ := c.passkeyPost("/settings/passkeys", url.Values{"credential": {resp}, "name": {"偽物"},
				"trading_password": {demoTradingPassword}})
			if status == http.StatusOK && out["ok"] == true {
				t.Fatalf("spoiled registration accepted: %d %v", status, out)
			}
			if p := c.get("/settings/passkeys"); p.has("passkey-row") {
				t.Fatal("a refused registration stored a passkey")
			}
		})
	}
}
