package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"mfadesk/data"
)

// addSMS gives a demo customer a confirmed SMS factor beside what they have.
func (a *testApp) addSMS(loginID, phone string) {
	a.t.Helper()
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: a.customerID(loginID), Kind: data.FactorSMS, Phone: phone,
			UseLogin: true, UseAccount: true, UseWithdrawal: true, LastStep: -1, ConfirmedAt: a.clock.Now()})
		return err
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

// A support reset of the authenticator app alone leaves the SMS number
// and a passkey. Whoever holds the temporary pass still reaches only
// enrolment: no recovery codes, no removal of the remaining factors, no
// account, withdrawal or password pages, until they confirm a factor
// made after the pass was used. Then the session is a normal one.
func TestTempPassAfterPartialResetConfinedToEnrolment(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addSMS("demo-app", "+819000000001")
	a.addPasskey("demo-app", "iPhone")
	sup, kase := strongCase(t, a, "supervisor", "demo-app")
	p := sup.post(kase+"/reset", url.Values{"remove": {data.FactorTOTP}, "temp_pass": {"on"}})
	pass := p.text("temp-pass")
	if p.status != http.StatusOK || !tempPassFormat.MatchString(pass) {
		t.Fatalf("reset of the app with a pass: %d %q", p.status, p.location)
	}
	if got := a.factorKinds("demo-app"); !slices.Equal(got, []string{"sms", "passkey"}) {
		t.Fatalf("factors after resetting the app: %v", got)
	}
	passkeys, err := a.DB.PasskeysOf(context.Background(), a.customerID("demo-app"))
	if err != nil || len(passkeys) != 1 {
		t.Fatalf("passkeys: %v %d", err, len(passkeys))
	}
	smsID := ""
	factors, _ := a.DB.ConfirmedFactors(context.Background(), a.customerID("demo-app"))
	for _, f := range factors {
		smsID = strconv.FormatInt(f.ID, 10)
	}

	c, p := tempPassLogin(a, "demo-app", pass)
	if p.location != "/settings/mfa" {
		t.Fatalf("temp pass login: %d %q", p.status, p.location)
	}
	for _, path := range []string{"/home", "/account", "/withdrawal", "/settings/password", "/settings/activity", "/account/bank"} {
		if p := c.get(path); p.location != "/settings/mfa" {
			t.Errorf("GET %s with a pass session after a partial reset: %d %q", path, p.status, p.location)
		}
	}
	p = c.get("/settings/mfa")
	if !p.has("totp-start") || !p.has("sms-send") || p.has("sms-remove") || p.has("recovery-issue") || p.has("save-uses") {
		t.Errorf("the settings page offers more than enrolment: start %v sms %v remove %v recovery %v uses %v",
			p.has("totp-start"), p.has("sms-send"), p.has("sms-remove"), p.has("recovery-issue"), p.has("save-uses"))
	}
	for _, path := range []string{"/settings/mfa/recovery", "/settings/mfa/sms/remove", "/settings/mfa/uses",
		"/settings/passkeys/" + strconv.FormatInt(passkeys[0].ID, 10) + "/remove", "/withdrawal",
		"/settings/password/login", "/account/email"} {
		form := url.Values{"amount": {"1000"}, "use_login_" + smsID: {"on"}}
		if p := c.post(path, form); p.status != http.StatusForbidden {
			t.Errorf("POST %s with a pass session after a partial reset: %d %q", path, p.status, p.location)
		}
	}
	if got := a.factorKinds("demo-app"); !slices.Equal(got, []string{"sms", "passkey"}) {
		t.Errorf("the pass session changed the remaining factors: %v", got)
	}
	if n, err := a.DB.CountUnusedRecoveryCodes(context.Background(), a.customerID("demo-app")); err != nil || n != 0 {
		t.Errorf("recovery codes issued to the pass session: %d %v", n, err)
	}

	// A new app, confirmed, lifts the confinement.
	enrolApp(t, a, c)
	for _, path := range []string{"/home", "/settings/password"} {
		if p := c.get(path); p.status != http.StatusOK {
			t.Errorf("GET %s after enrolling a new app: %d %q", path, p.status, p.location)
		}
	}
	if p := c.get("/settings/mfa"); !p.has("recovery-issue") || !p.has("sms-remove") {
		t.Error("the settings page still offers only enrolment after enrolling")
	}
	if p := c.post("/settings/mfa/recovery", nil); p.status == http.StatusForbidden {
		t.Errorf("recovery codes still refused after enrolling: %d %q", p.status, p.location)
	}
}

// An enrolment started but not confirmed does not lift the confinement;
// a new SMS number confirmed after the pass was used does, even though
// it replaces the number the reset left.
func TestTempPassConfinementLiftedOnlyByConfirmedNewFactor(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.addSMS("demo-app", "+819000000001")
	sup, kase := strongCase(t, a, "supervisor", "demo-app")
	pass := sup.post(kase+"/reset", url.Values{"remove": {data.FactorTOTP}, "temp_pass": {"on"}}).text("temp-pass")
	c, p := tempPassLogin(a, "demo-app", pass)
	if p.location != "/settings/mfa" {
		t.Fatalf("temp pass login: %d %q", p.status, p.location)
	}
	c.get("/settings/mfa")
	if p := c.post("/settings/mfa/totp/start", nil); p.location != "/settings/mfa/totp" {
		t.Fatalf("start enrolment: %d %q", p.status, p.location)
	}
	if p := c.get("/home"); p.location != "/settings/mfa" {
		t.Errorf("an unconfirmed app lifted the confinement: %d %q", p.status, p.location)
	}
	c.get("/settings/mfa")
	if p := c.post("/settings/mfa/sms/send", url.Values{"phone": {"080-1234-5678"}}); p.location != "/settings/mfa/sms" {
		t.Fatalf("send: %d %q", p.status, p.location)
	}
	c.get("/settings/mfa/sms")
	form := url.Values{"code": {a.lastCode("080-1234-5678")}, "trading_password": {demoTradingPassword}, "use_login": {"on"}}
	if p := c.post("/settings/mfa/sms/confirm", form); p.location != "/settings/mfa?notice=sms-added" {
		t.Fatalf("confirm: %d %q", p.status, p.location)
	}
	if p := c.get("/home"); p.status != http.StatusOK {
		t.Errorf("home after confirming a new number: %d %q", p.status, p.location)
	}
}
