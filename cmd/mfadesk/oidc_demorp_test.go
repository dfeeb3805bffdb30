package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/idp"
	"mfadesk/jst"
)

// The demo relying party end to end against the whole app: an app login
// (password + TOTP) signs in with acr mfa and amr pwd otp; 「出金」 asks for
// a phishing-resistant step-up with max_age=0, which a customer without a
// passkey cannot pass (the relying party shows RFC 9470's error and keeps
// its session); a console reset ends the customer's sessions and the
// back-channel logout token ends the relying party's session too.
func TestDemoRPSignInAndBackchannelLogoutAfterReset(t *testing.T) {
	t.Parallel()
	w := newRPWorld(t)
	a := w.a
	b, top := w.signInTOTP(t)
	sub := rpText(top, "claim-sub")
	if sub == "" || sub == "demo-app" || sub == "1000001" {
		t.Errorf("sub %q: want an opaque id, not the login ID or account number", sub)
	}
	if got := rpText(top, "claim-acr"); got != idp.ACRMFA {
		t.Errorf("acr %q, want %q", got, idp.ACRMFA)
	}
	if got := rpText(top, "claim-amr"); got != "pwd otp mfa" {
		t.Errorf("amr %q", got)
	}
	if got := rpText(top, "claim-auth-time"); got != a.clock.Now().In(jst.Zone).Format("2006-01-02 15:04:05 MST") {
		t.Errorf("auth_time %q, want the login's time %v", got, a.clock.Now())
	}
	if got := rpText(top, "claim-hold"); got != "なし" {
		t.Errorf("withdrawal hold %q", got)
	}

	// 「出金」: max_age=0 and acr_values=phr; demo-app has no passkey.
	p, at := w.rpButton(b, "/withdraw")
	if at != w.rpURL+"/" || !strings.Contains(rpText(p, "problem"), "unmet_authentication_requirements") {
		t.Errorf("step-up without a passkey ended at %s: %q", at, rpText(p, "problem"))
	}
	if rpText(p, "claim-sub") != sub || rpText(p, "stepup") != "" {
		t.Error("a refused step-up changed the relying party's sign-in")
	}

	// A supervisor resets demo-app's factors: every session ends, and the
	// relying party is told by a logout token.
	staff, kase := strongCase(t, a, "supervisor", "demo-app")
	if r := staff.post(kase+"/reset", nil); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", r.status, r.text("notice-error"))
	}
	sent, err := a.OIDC.RunLogouts(context.Background())
	if err != nil || sent != 1 {
		t.Fatalf("back-channel logouts: %d sent, %v", sent, err)
	}
	if p, _ := b.browse(w.rpURL + "/"); rpText(p, "claim-sub") != "" || !strings.Contains(p.body, "ログイン") {
		t.Errorf("relying party session survived the reset: %s", rpText(p, "claims"))
	}
}

// A passkey customer signs in with acr phr; after time passes, 「出金」
// (max_age=0) makes them use the passkey again now, and the relying party
// shows "step-up OK" with the new auth_time; 「ログアウト」 ends the session
// at the provider too (RP-initiated logout) and comes back to the top.
func TestDemoRPPasskeyStepUpAndLogout(t *testing.T) {
	t.Parallel()
	w := newRPWorld(t)
	a := w.a
	key := newSoftKey()
	key.rp.Origin = w.base
	key.register(t, a, loggedInClient(t, a, "demo-email"), "demo-email", "")
	// A withdrawal hold (as after a contact change) is shown with its end.
	holdUntil := a.clock.Now().Add(72 * time.Hour).Truncate(time.Second)
	if err := a.DB.InTx(context.Background(), func(tx *data.Tx) error {
		return tx.HoldWithdrawals(context.Background(), a.customerID("demo-email"), holdUntil, "contact_change")
	}); err != nil {
		t.Fatal(err)
	}

	b := a.newClient()
	if _, at := w.rpButton(b, "/login"); at != w.base+"/login" {
		t.Fatalf("sign-in went to %s", at)
	}
	status, _, body := b.passkeyPost("/login/passkey/options", nil)
	if status != http.StatusOK {
		t.Fatalf("passkey options: %d %s", status, body)
	}
	status, out, _ := b.passkeyPost("/login/passkey", url.Values{"credential": {key.assert(t, body)}})
	next, _ := out["redirect"].(string)
	if status != http.StatusOK || !strings.HasPrefix(next, idp.Prefix+"/login?id=") {
		t.Fatalf("passkey login: %d %v", status, out)
	}
	top, at := b.browse(w.base + next)
	if at != w.rpURL+"/" || rpText(top, "claim-acr") != idp.ACRPhishingResistant || !strings.Contains(rpText(top, "claim-amr"), "user") {
		t.Fatalf("passkey sign-in at %s: acr %q amr %q %s", at, rpText(top, "claim-acr"), rpText(top, "claim-amr"), rpText(top, "problem"))
	}
	loginTime := rpText(top, "claim-auth-time")
	if got, want := rpText(top, "claim-hold"), holdUntil.In(jst.Zone).Format("2006-01-02 15:04:05 MST")+" まで出金保留中"; got != want {
		t.Errorf("withdrawal hold %q, want %q", got, want)
	}

	a.clock.Advance(10 * time.Minute)
	p, at := w.rpButton(b, "/withdraw")
	u, _ := url.Parse(at)
	op := u.Query().Get("op")
	if u.Path != "/stepup" || !strings.HasPrefix(op, "oidc-phr:") || !p.has("passkey-check") {
		t.Fatalf("step-up asked at %s (%d)", at, p.status)
	}
	status, _, body = b.passkeyPost("/stepup/passkey/options", url.Values{"op": {op}})
	if status != http.StatusOK {
		t.Fatalf("step-up options: %d %s", status, body)
	}
	status, out, _ = b.passkeyPost("/stepup/passkey", url.Values{"op": {op}, "credential": {key.assert(t, body)}})
	next, _ = out["redirect"].(string)
	if status != http.StatusOK || !strings.HasPrefix(next, idp.Prefix+"/login?id=") {
		t.Fatalf("step-up with the passkey: %d %v", status, out)
	}
	top, at = b.browse(w.base + next)
	want := "step-up OK at " + a.clock.Now().In(jst.Zone).Format("2006-01-02 15:04:05 MST") + " with "
	if got := rpText(top, "stepup"); at != w.rpURL+"/" || !strings.HasPrefix(got, want) || !strings.Contains(got, "user") {
		t.Errorf("after the step-up at %s: %q (problem %q), want %q…", at, got, rpText(top, "problem"), want)
	}
	if got := rpText(top, "claim-auth-time"); got == loginTime {
		t.Errorf("auth_time still the login's (%s) after max_age=0", got)
	}

	// 「ログアウト」: the provider's end_session ends the mfadesk session and
	// sends the browser back to the registered post-logout URI.
	p, at = w.rpButton(b, "/logout")
	if at != w.rpURL+"/" || rpText(p, "claim-sub") != "" {
		t.Errorf("after logout at %s: %s", at, rpText(p, "claims"))
	}
	if home := b.get("/home"); home.status != http.StatusSeeOther {
		t.Errorf("mfadesk session after RP-initiated logout: %d %q", home.status, home.location)
	}
}
