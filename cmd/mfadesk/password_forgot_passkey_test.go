package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"mfadesk/data"
)

// Tests of a forgotten password proven with a passkey (docs/security.md S63).

// forgotPasskey answers the reset's passkey step of c with key: the
// options' status and body, then the answer's status and body.
func forgotPasskey(t *testing.T, c *client, key *softKey) (int, string, int, string) {
	t.Helper()
	c.get("/login/forgot/verify")
	optStatus, _, opts := c.passkeyPost("/login/forgot/verify/passkey/options", nil)
	if optStatus != http.StatusOK {
		return optStatus, opts, 0, ""
	}
	status, _, body := c.passkeyPost("/login/forgot/verify/passkey", url.Values{"credential": {key.assert(t, opts)}})
	return optStatus, opts, status, body
}

var challengeField = regexp.MustCompile(`"challenge":"[^"]*"`)

// A customer whose only strong factor is a passkey resets the password
// with it: no code is sent, the passkey proves the reset, and the rest is
// as with a code.
func TestForgotPasswordResetWithPasskey(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	key := newSoftKey()
	key.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	c, p := forgotStart(a, "demo-email", demoBirthDates["demo-email"])
	if p.location != "/login/forgot/verify" {
		t.Fatalf("knowledge step: %d %q", p.status, p.location)
	}
	if v := c.get("/login/forgot/verify"); !v.has("passkey-check") || !v.has("forgot-verify-form") {
		t.Fatal("the factor step does not offer a passkey beside the code")
	}
	_, opts, status, body := forgotPasskey(t, c, key)
	if status != http.StatusOK || !regexp.MustCompile(`"redirect":"/login/forgot/password"`).MatchString(body) {
		t.Fatalf("passkey step: %d %s", status, body)
	}
	if regexp.MustCompile(`allowCredentials`).MatchString(opts) {
		t.Fatalf("reset options list credentials: %s", opts)
	}
	c.get("/login/forgot/password")
	p = c.post("/login/forgot/password", url.Values{"new_password": {forgotNewPassword}, "new_password_confirm": {forgotNewPassword}})
	if p.location != "/login?notice=reset" {
		t.Fatalf("password step: %d %q", p.status, p.location)
	}
	if codes := resetCodes(a); len(codes) != 0 {
		t.Fatalf("codes sent to a passkey customer: %v", codes)
	}
	if n := resetNotices(t, a); n["demo-email@example.jp"] != 1 {
		t.Fatalf("notices: %v", n)
	}
	if got := a.auditEventsOf("password.reset.start"); len(got) != 1 || got[0] != "matched:passkey" {
		t.Fatalf("audit: %v", got)
	}
	if p := a.newClient().login("demo-email", forgotNewPassword); p.location != "/login/verify" {
		t.Fatalf("new password: %d %q", p.status, p.location)
	}
}

// The passkey step answers alike whatever the first step matched: the
// same options (but the challenge) and the same refusal for an unknown
// login ID, a wrong birth date, another customer's passkey on a matched
// reset (counted against the matched customer: the ceremony is bound to
// them), a matched customer with no passkey and a locked customer's own
// passkey. The matched customer's own
// passkey passes, even beside an app.
func TestForgotPasswordPasskeyAnswersAlike(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	emailKey := newSoftKey()
	emailKey.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	a.clock.Advance(30 * time.Second)
	appKey := newSoftKey()
	appKey.register(t, a, loggedInClient(t, a, "demo-app"), "demo-app", demoTOTPSecret)

	type answer struct {
		options string
		status  int
		body    string
	}
	try := func(loginID, birthDate string, key *softKey) answer {
		t.Helper()
		c, p := forgotStart(a, loginID, birthDate)
		if p.location != "/login/forgot/verify" {
			t.Fatalf("%s: knowledge step: %d %q", loginID, p.status, p.location)
		}
		optStatus, opts, status, body := forgotPasskey(t, c, key)
		if optStatus != http.StatusOK {
			t.Fatalf("%s: options: %d %s", loginID, optStatus, opts)
		}
		if p := c.get("/login/forgot/password"); p.location != "/login/forgot" {
			t.Fatalf("%s: password step reached after a refusal: %d %q", loginID, p.status, p.location)
		}
		return answer{challengeField.ReplaceAllString(opts, ""), status, body}
	}
	answers := map[string]answer{
		"unknown login ID":           try("no-such-customer", "1960-01-15", emailKey),
		"wrong birth date":           try("demo-email", "1960-01-16", emailKey),
		"another customer's passkey": try("demo-app", demoBirthDates["demo-app"], emailKey),
		"a customer with no passkey": try("demo-sms", demoBirthDates["demo-sms"], emailKey),
	}
	if f := a.customer("demo-app").MFAFailures; f != 1 {
		t.Fatalf("demo-app failures %d, want 1: the refused passkey counts against the matched customer", f)
	}
	if f := a.customer("demo-email").MFAFailures; f != 0 {
		t.Fatalf("demo-email failures %d: nothing was matched for them", f)
	}
	id := a.customerID("demo-app")
	err := a.DB.InTx(context.Background(), func(tx *data.Tx) error {
		return tx.SetMFAFailures(context.Background(), id, 5, tx.Now(), tx.Now().Add(time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	answers["locked customer's own passkey"] = try("demo-app", demoBirthDates["demo-app"], appKey)
	want := answers["unknown login ID"]
	if want.status != http.StatusUnauthorized {
		t.Fatalf("refusal: %d %s", want.status, want.body)
	}
	for name, got := range answers {
		if got != want {
			t.Errorf("%s answers apart:\n%+v\n%+v", name, got, want)
		}
	}

	// Unlocked, the matched customer's own passkey passes beside the app.
	err = a.DB.InTx(context.Background(), func(tx *data.Tx) error {
		return tx.SetMFAFailures(context.Background(), id, 0, time.Time{}, time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := forgotStart(a, "demo-app", demoBirthDates["demo-app"])
	_, opts, status, body := forgotPasskey(t, c, appKey)
	if status != http.StatusOK {
		t.Fatalf("own passkey: %d %s", status, body)
	}
	if challengeField.ReplaceAllString(opts, "") != want.options {
		t.Fatal("a matched customer's options differ from an unknown login ID's")
	}
	if p := c.get("/login/forgot/password"); p.status != http.StatusOK {
		t.Fatalf("password step after the passkey: %d %q", p.status, p.location)
	}
}
