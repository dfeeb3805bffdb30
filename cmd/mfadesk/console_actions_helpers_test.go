package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
)

// emailOf is a demo customer's verified email address.
func emailOf(loginID string) string { return loginID + "@example.jp" }

// possession passes a possession check on the case: a link by email,
// opened and confirmed by the customer on their own device.
func possession(t *testing.T, a *testApp, c *client, kase, loginID string) {
	t.Helper()
	c.get(kase)
	if p := c.post(kase+"/verify/possession", url.Values{"channel": {"email"}}); p.location != kase+"?notice=link_sent" {
		t.Fatalf("send possession link: %d %q", p.status, p.location)
	}
	if p := a.answerLink(a.lastLink(emailOf(loginID)), "yes"); p.status != http.StatusOK || !p.has("link-done") {
		t.Fatalf("confirm link: %d", p.status)
	}
	c.get(kase)
}

var linkPath = regexp.MustCompile(`/verify/[A-Za-z0-9_-]{43}`)

// lastLink is the path of the newest possession link sent to to.
func (a *testApp) lastLink(to string) string {
	a.t.Helper()
	if e164, err := contact.ParsePhone(to); err == nil {
		to = e164
	}
	for _, m := range a.outbox() {
		if m.To == to {
			if link := linkPath.FindString(m.Body); link != "" {
				return link
			}
		}
	}
	a.t.Fatalf("no link sent to %s", to)
	return ""
}

// answerLink opens link in a fresh browser, as the customer would, and
// answers yes or no; it returns the answer's page.
func (a *testApp) answerLink(link, answer string) *page {
	a.t.Helper()
	cu := a.newClient()
	if p := cu.get(link); p.status != http.StatusOK {
		return p
	}
	return cu.post(link, url.Values{"answer": {answer}})
}

// document records an identity document check on a shop case.
func document(t *testing.T, c *client, kase string) {
	t.Helper()
	c.get(kase)
	if p := c.post(kase+"/verify/document", url.Values{"document_type": {"license"}, "checked": {"on"}}); p.location != kase+"?notice=document_passed" {
		t.Fatalf("document check: %q", p.location)
	}
	c.get(kase)
}

// strongCase opens a case for the customer as staff member login, with a
// strong verification the way their role would: a document at the shop
// for a partner (whose lookup is fixed to demo-sms), a possession code by
// email for everyone else.
func strongCase(t *testing.T, a *testApp, login, loginID string) (*client, string) {
	t.Helper()
	c := a.staffLogin(login)
	if login == "partner" || strings.HasPrefix(login, "partner") {
		kase := partnerCase(t, c)
		document(t, c, kase)
		return c, kase
	}
	kase := c.openCase(a.customerID(loginID), "phone")
	possession(t, a, c, kase, loginID)
	return c, kase
}

// addStaff adds a staff member with the demo password and authenticator,
// for tests that need two people in one role.
func (a *testApp) addStaff(login, role, org string) {
	a.t.Helper()
	ctx := context.Background()
	hash, err := mfa.HashPassword(demoStaffPassword, a.MFA.Config.Argon2)
	if err != nil {
		a.t.Fatal(err)
	}
	err = a.DB.InTx(ctx, func(tx *data.Tx) error {
		id, err := tx.CreateStaff(ctx, &data.Staff{LoginID: login, Name: login, Role: role, OrgID: org, PasswordHash: hash})
		if err != nil {
			return err
		}
		sealed, err := a.Support.SealStaffTOTPSecret(id, demoTOTPSecret)
		if err != nil {
			return err
		}
		if err := tx.SetStaffTOTPPending(ctx, id, sealed); err != nil {
			return err
		}
		return tx.ConfirmStaffTOTP(ctx, id, -1)
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

// customer reads a customer's row as it is now.
func (a *testApp) customer(loginID string) *data.Customer {
	a.t.Helper()
	c, err := a.DB.CustomerByLoginID(context.Background(), loginID)
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// factorKinds lists a customer's confirmed factors and passkeys.
func (a *testApp) factorKinds(loginID string) []string {
	a.t.Helper()
	ctx := context.Background()
	id := a.customerID(loginID)
	factors, err := a.DB.ConfirmedFactors(ctx, id)
	if err != nil {
		a.t.Fatal(err)
	}
	passkeys, err := a.DB.PasskeysOf(ctx, id)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, f := range factors {
		out = append(out, f.Kind)
	}
	for range passkeys {
		out = append(out, "passkey")
	}
	return out
}

// addPasskey gives a customer a stored passkey, as a registration would.
func (a *testApp) addPasskey(loginID, name string) {
	a.t.Helper()
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreatePasskey(ctx, &data.Passkey{CustomerID: a.customerID(loginID), CredentialID: []byte("cred-" + name),
			CredentialJSON: `{"id":"secret-credential-record"}`, Name: name, UseLogin: true, UseAccount: true, UseWithdrawal: true})
		return err
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

// requestIDs lists the ids of the requests on the supervisors' queue as c sees it.
func requestIDs(t *testing.T, c *client) []string {
	t.Helper()
	p := c.get("/console/requests")
	if p.status != http.StatusOK {
		t.Fatalf("queue: %d", p.status)
	}
	var out []string
	for _, n := range p.all("request") {
		out = append(out, attr(n, "data-id"))
	}
	return out
}

// onlyRequest returns the one pending request's id, failing otherwise.
func onlyRequest(t *testing.T, c *client) string {
	t.Helper()
	ids := requestIDs(t, c)
	if len(ids) != 1 {
		t.Fatalf("queue has %d requests, want 1", len(ids))
	}
	return ids[0]
}

// caseID is the numeric id of a case path.
func caseID(t *testing.T, kase string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(kase, "/console/cases/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// decide approves or rejects a request from the supervisors' queue as c.
func (c *client) decide(id, verb string, form url.Values) *page {
	c.t.Helper()
	c.get("/console/requests")
	return c.post("/console/requests/"+id+"/"+verb, form)
}

// enrolApp enrols an authenticator app as the customer does: start, scan
// the QR code, confirm with a code and the trading password. It returns
// the app's secret, as read from the QR code.
func enrolApp(t *testing.T, a *testApp, c *client) string {
	t.Helper()
	c.get("/settings/mfa")
	if p := c.post("/settings/mfa/totp/start", nil); p.location != "/settings/mfa/totp" {
		t.Fatalf("start enrolment: %d %q", p.status, p.location)
	}
	c.get("/settings/mfa/totp")
	_, img := c.getBytes("/settings/mfa/totp/qr.png")
	u, err := url.Parse(decodeQR(t, img))
	if err != nil {
		t.Fatal(err)
	}
	secret := u.Query().Get("secret")
	code, err := totpCodeForTest(secret, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"code": {code}, "trading_password": {demoTradingPassword},
		"use_login": {"on"}, "use_account": {"on"}, "use_withdrawal": {"on"}}
	if p := c.post("/settings/mfa/totp/confirm", form); p.location != "/settings/mfa?notice=totp-added" {
		t.Fatalf("confirm enrolment: %d %q", p.status, p.location)
	}
	return secret
}
