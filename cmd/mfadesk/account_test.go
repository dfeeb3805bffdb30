package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAccountAsksStepUpWhenSettingsSaySo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app") // app ticked for 登録情報
	if p := c.get("/account"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("/account without step-up: %d %q", p.status, p.location)
	}
	if p := stepUp(t, a, c, "account", "demo-app", demoTOTPSecret); p.location != "/account" {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	p := c.get("/account")
	if p.status != http.StatusOK || p.text("account-email") != "demo-app@example.jp" {
		t.Fatalf("after step-up: %d email %q", p.status, p.text("account-email"))
	}
	a.clock.Advance(5*time.Minute + time.Second)
	if p := c.get("/account"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("step-up older than the window still opens /account: %d", p.status)
	}

	// A customer with no factor ticked for it sees the page, masked, and
	// still needs a second factor to change a contact.
	e := loggedInClient(t, a, "demo-email")
	p = e.get("/account")
	if p.status != http.StatusOK || p.text("account-email") == "demo-email@example.jp" || !p.has("start-stepup") {
		t.Fatalf("demo-email /account: %d %q", p.status, p.text("account-email"))
	}
	if p := e.post("/account/email", url.Values{"new_email": {"x@example.jp"}}); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("contact change without step-up: %d %q", p.status, p.location)
	}
}

func TestEmailChangeConfirmedByCodeThenHold(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-sms")
	a.clock.Advance(61 * time.Second)
	stepUp(t, a, c, "account", "demo-sms", "")
	if p := c.post("/account/email", url.Values{"new_email": {"not an address"}}); p.status != http.StatusUnprocessableEntity || !p.has("new_email-error") {
		t.Fatalf("bad address: %d", p.status)
	}
	if p := c.post("/account/email", url.Values{"new_email": {"hanako.new@example.jp"}}); p.location != "/account/email/confirm" {
		t.Fatalf("send: %d %q", p.status, p.location)
	}
	// Until the code comes back the old address stays.
	cust, _ := a.DB.CustomerByLoginID(context.Background(), "demo-sms")
	if cust.Email != "demo-sms@example.jp" {
		t.Fatalf("email changed before confirmation: %s", cust.Email)
	}
	c.get("/account/email/confirm")
	if p := c.post("/account/email/confirm", url.Values{"code": {"000000"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", p.status)
	}
	code := a.lastCode("hanako.new@example.jp")
	if p := c.post("/account/email/confirm", url.Values{"code": {code}}); p.location != "/account?notice=email-changed" {
		t.Fatalf("confirm: %d %q %s", p.status, p.location, p.text("code-error"))
	}
	cust, _ = a.DB.CustomerByLoginID(context.Background(), "demo-sms")
	if cust.Email != "hanako.new@example.jp" {
		t.Fatalf("email not changed: %s", cust.Email)
	}
	toOld, toNew := false, false
	for _, m := range a.outbox() {
		if strings.Contains(m.Subject, "変更") {
			toOld = toOld || m.To == "demo-sms@example.jp"
			toNew = toNew || m.To == "hanako.new@example.jp"
		}
	}
	if !toOld || !toNew {
		t.Errorf("change notice to old %v, to new %v", toOld, toNew)
	}
	// docs/security.md S34: withdrawals are held, with reason and end shown.
	w := c.get("/withdrawal")
	if !w.has("withdrawal-hold") || !strings.Contains(w.text("withdrawal-hold"), "変更") {
		t.Fatal("no withdrawal hold after the contact change")
	}
	if p := c.post("/withdrawal", url.Values{"amount": {"1000"}}); p.status != http.StatusForbidden || !p.has("withdrawal-hold") {
		t.Fatalf("withdrawal during the hold: %d %q", p.status, p.location)
	}
	a.clock.Advance(72*time.Hour + time.Minute)
	c = loggedInClient(t, a, "demo-sms")
	if p := c.get("/withdrawal"); p.has("withdrawal-hold") {
		t.Fatal("hold did not end after 72 h")
	}
}

func TestPhoneChangeConfirmedByCode(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email")
	a.clock.Advance(61 * time.Second)
	stepUp(t, a, c, "account", "demo-email", "")
	if p := c.post("/account/phone", url.Values{"new_phone": {"090-5555-1234"}}); p.location != "/account/phone/confirm" {
		t.Fatalf("send: %d %q", p.status, p.location)
	}
	c.get("/account/phone/confirm")
	if p := c.post("/account/phone/confirm", url.Values{"code": {a.lastCode("090-5555-1234")}}); p.location != "/account?notice=phone-changed" {
		t.Fatalf("confirm: %d %q", p.status, p.location)
	}
	cust, _ := a.DB.CustomerByLoginID(context.Background(), "demo-email")
	if cust.Phone != "+819055551234" || !cust.PhoneVerified {
		t.Fatalf("phone %q verified %v", cust.Phone, cust.PhoneVerified)
	}
}

// docs/security.md S26: the second factor approves one withdrawal, with its amount.
func TestWithdrawalStepUpBoundToTheWithdrawal(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	c.get("/withdrawal")
	if p := c.post("/withdrawal", url.Values{"amount": {"abc"}}); p.status != http.StatusUnprocessableEntity || !p.has("amount-error") {
		t.Fatalf("bad amount: %d", p.status)
	}
	p := c.post("/withdrawal", url.Values{"amount": {"５０,０００円"}})
	if !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("withdrawal without step-up: %q", p.location)
	}
	op := mustURL(p.location).Query().Get("op")
	if p := stepUp(t, a, c, op, "demo-app", demoTOTPSecret); !strings.HasSuffix(p.location, "/confirm") {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	confirmPath := "/withdrawal/" + strings.TrimPrefix(op, "withdrawal:") + "/confirm"
	if got := c.get(confirmPath).text("confirm-amount"); got != "50,000円" {
		t.Fatalf("confirm page amount %q", got)
	}
	// The step-up for this withdrawal does not approve another one.
	c.get("/withdrawal")
	other := c.post("/withdrawal", url.Values{"amount": {"9999999"}})
	otherConfirm := "/withdrawal/" + strings.TrimPrefix(mustURL(other.location).Query().Get("op"), "withdrawal:") + "/confirm"
	c.get("/withdrawal")
	if p := c.post(otherConfirm, nil); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("another withdrawal passed on this step-up: %d %q", p.status, p.location)
	}
	c.get(confirmPath)
	if p := c.post(confirmPath, nil); p.location != "/withdrawal?notice=requested" {
		t.Fatalf("confirm: %d %q", p.status, p.location)
	}
	if m := a.outbox()[0]; !strings.Contains(m.Body, "50,000") {
		t.Errorf("withdrawal notice: %q", m.Body)
	}
	// Once used, the step-up approves nothing more.
	c.get("/withdrawal")
	if p := c.post(confirmPath, nil); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("second confirm: %d %q", p.status, p.location)
	}
}

func TestWithdrawalStepUpExpires(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	c.get("/withdrawal")
	op := mustURL(c.post("/withdrawal", url.Values{"amount": {"1000"}}).location).Query().Get("op")
	stepUp(t, a, c, op, "demo-app", demoTOTPSecret)
	a.clock.Advance(5*time.Minute + time.Second)
	if p := c.post("/withdrawal/"+strings.TrimPrefix(op, "withdrawal:")+"/confirm", nil); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("old step-up confirmed a withdrawal: %d %q", p.status, p.location)
	}
}

// Without a factor ticked for withdrawal, the settings do not ask for one.
func TestWithdrawalWithoutStepUpSetting(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email")
	c.get("/withdrawal")
	if p := c.post("/withdrawal", url.Values{"amount": {"1200"}}); p.location != "/withdrawal?notice=requested" {
		t.Fatalf("withdrawal: %d %q", p.status, p.location)
	}
	if p := c.get("/withdrawal"); !strings.Contains(p.text("withdrawal-recent"), "1,200円") {
		t.Fatal("requested withdrawal not listed")
	}
}

// The customer's own activity page names the security changes they made.
func TestActivityShowsSecurityChanges(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app")
	stepUp(t, a, c, "mfa", "demo-app", demoTOTPSecret)
	c.post("/settings/mfa/totp/remove", nil)
	c.get("/withdrawal")
	c.post("/withdrawal", url.Values{"amount": {"1000"}})
	p := c.get("/settings/activity")
	for _, want := range []string{"認証アプリの解除", "ログイン時の本人確認"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("activity lacks %q", want)
		}
	}
}

// 出金先口座の変更: always a fresh second factor, whatever the settings;
// then notices and the withdrawal hold.
func TestBankAccountChange(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-email") // no factor ticked for anything
	if p := c.get("/account/bank"); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("bank change without a step-up: %d %q", p.status, p.location)
	}
	a.clock.Advance(61 * time.Second)
	if p := stepUp(t, a, c, "bank", "demo-email", ""); p.location != "/account/bank" {
		t.Fatalf("step-up: %d %q", p.status, p.location)
	}
	form := url.Values{"bank_name": {"さくら信金"}, "branch_name": {"駅前支店"}, "account_number": {"１２３４５６７"}, "holder_kana": {"スズキ イチロウ"}}
	bad := url.Values{"bank_name": {"さくら信金"}, "branch_name": {"駅前支店"}, "account_number": {"12"}, "holder_kana": {"スズキ イチロウ"}}
	if p := c.post("/account/bank", bad); p.status != http.StatusUnprocessableEntity || !p.has("account_number-error") {
		t.Fatalf("bad account number: %d", p.status)
	}
	if p := c.post("/account/bank", form); p.location != "/account?notice=bank-changed" {
		t.Fatalf("change: %d %q", p.status, p.location)
	}
	bank, err := a.DB.BankAccountOf(context.Background(), a.customerIDOf("demo-email"))
	if err != nil || bank.AccountNumber != "1234567" || bank.BankName != "さくら信金" {
		t.Fatalf("bank account %+v %v", bank, err)
	}
	if m := a.outbox()[0]; m.To != "demo-email@example.jp" || !strings.Contains(m.Body, "***4567") {
		t.Errorf("no notice of the change: %+v", m)
	}
	if !c.get("/withdrawal").has("withdrawal-hold") {
		t.Error("no withdrawal hold after the bank change")
	}
	// One step-up, one change.
	c.get("/account")
	if p := c.post("/account/bank", form); !strings.HasPrefix(p.location, "/stepup?") {
		t.Fatalf("second change on the same step-up: %q", p.location)
	}
}

func (a *testApp) customerIDOf(loginID string) int64 {
	a.t.Helper()
	c, err := a.DB.CustomerByLoginID(context.Background(), loginID)
	if err != nil {
		a.t.Fatal(err)
	}
	return c.ID
}
