package mfa

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/pgtest"
)

// The programme's phases as these tests set them, each later than the last.
var (
	testLoginFrom   = time.Date(2025, 5, 30, 0, 0, 0, 0, jst.Zone)
	testEmailFrom   = time.Date(2025, 7, 4, 0, 0, 0, 0, jst.Zone)
	testPhishFrom   = time.Date(2026, 4, 1, 0, 0, 0, 0, jst.Zone)
	testInterimTill = time.Date(2026, 10, 1, 0, 0, 0, 0, jst.Zone)

	beforeLogin = testLoginFrom.Add(-time.Second)
	inLogin     = testLoginFrom // a phase is in force from its first instant
	inEmail     = testEmailFrom.AddDate(0, 1, 0)
	inPhish     = testPhishFrom.AddDate(0, 1, 0)
	afterInter  = testInterimTill
)

// factorUses is which services a factor or passkey is used for.
type factorUses struct{ login, account, withdrawal bool }

var (
	forLogin      = &factorUses{login: true}
	forAll        = &factorUses{true, true, true}
	forAccount    = &factorUses{account: true}
	forWithdrawal = &factorUses{withdrawal: true}
)

// holding is what a customer has enrolled; nil means none of that kind.
type holding struct {
	email         bool // a verified address
	totp, sms     *factorUses
	passkey       *factorUses
	passkeyCloned bool
	recovery      int
	postponed     int
	lockedUntil   time.Time
}

// policyEnv is a Service over a real SQLite file whose clock the test sets.
type policyEnv struct {
	t   *testing.T
	s   *Service
	now time.Time
	n   int
}

func newPolicyEnv(t *testing.T) *policyEnv {
	t.Helper()
	e := &policyEnv{t: t, now: inLogin}
	db, err := data.Open(context.Background(), pgtest.DSN(t, filepath.Join(t.TempDir(), "policy.db")), func() time.Time { return e.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := DefaultConfig()
	cfg.LoginMFAFrom, cfg.EmailRequiredFrom = testLoginFrom, testEmailFrom
	cfg.PhishingResistantFrom, cfg.InterimMethodsUntil = testPhishFrom, testInterimTill
	cfg.PasskeyPostpones = 3
	e.s = &Service{DB: db, Config: cfg}
	return e
}

// customer stores a new customer holding h and returns it as read back.
func (e *policyEnv) customer(h holding) *data.Customer {
	e.t.Helper()
	ctx := context.Background()
	e.n++
	c := &data.Customer{AccountNumber: fmt.Sprintf("20%05d", e.n), LoginID: fmt.Sprintf("policy%d", e.n),
		NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ", BirthDate: "1960-01-01",
		Email: fmt.Sprintf("p%d@example.jp", e.n), EmailStatus: "unverified", PasswordHash: "x", TradingPasswordHash: "x"}
	if h.email {
		c.EmailStatus = "verified"
	}
	err := e.s.DB.InTx(ctx, func(tx *data.Tx) error {
		id, err := tx.CreateCustomer(ctx, c)
		if err != nil {
			return err
		}
		c.ID = id
		for kind, u := range map[string]*factorUses{data.FactorTOTP: h.totp, data.FactorSMS: h.sms} {
			if u == nil {
				continue
			}
			f := &data.Factor{CustomerID: id, Kind: kind, UseLogin: u.login, UseAccount: u.account,
				UseWithdrawal: u.withdrawal, ConfirmedAt: e.now}
			if _, err := tx.CreateFactor(ctx, f); err != nil {
				return err
			}
		}
		if h.passkey != nil {
			credID := make([]byte, 16)
			rand.Read(credID)
			pid, err := tx.CreatePasskey(ctx, &data.Passkey{CustomerID: id, CredentialID: credID, CredentialJSON: "{}",
				Name: "key", UseLogin: h.passkey.login, UseAccount: h.passkey.account, UseWithdrawal: h.passkey.withdrawal})
			if err != nil {
				return err
			}
			if h.passkeyCloned {
				if err := tx.MarkPasskeyCloned(ctx, pid); err != nil {
					return err
				}
			}
		}
		var hashes []string
		for i := range h.recovery {
			hashes = append(hashes, fmt.Sprintf("hash-%d-%d", id, i))
		}
		return tx.ReplaceRecoveryCodes(ctx, id, hashes)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	c.PasskeyPromptsPostponed, c.MFALockedUntil = h.postponed, h.lockedUntil
	return c
}

func planMethods(ms ...Method) []Method { return ms }

func TestPlanLogin(t *testing.T) {
	env := newPolicyEnv(t)
	tests := []struct {
		name string
		at   time.Time
		has  holding
		want LoginPlan
	}{
		{"before the programme an enrolled factor is still asked", beforeLogin, holding{totp: forLogin, recovery: 10}, LoginPlan{Methods: planMethods(MethodTOTP, MethodRecovery)}},
		{"before the programme, no factor: no fallback", beforeLogin, holding{email: true}, LoginPlan{}},
		{"app for login", inLogin, holding{totp: forLogin}, LoginPlan{Methods: planMethods(MethodTOTP)}},
		{"app before SMS, recovery last", inLogin, holding{sms: forLogin, totp: forAll, recovery: 3}, LoginPlan{Methods: planMethods(MethodTOTP, MethodSMS, MethodRecovery)}},
		{"SMS only", inLogin, holding{sms: forLogin}, LoginPlan{Methods: planMethods(MethodSMS)}},
		{"factor not used for login: email fallback", inLogin, holding{email: true, totp: forWithdrawal, recovery: 2}, LoginPlan{Methods: planMethods(MethodEmail, MethodRecovery), EmailFallback: true}},
		{"no factor, verified email: fallback", inLogin, holding{email: true}, LoginPlan{Methods: planMethods(MethodEmail), EmailFallback: true}},
		{"no factor, no verified email: deadline announced", inLogin, holding{}, LoginPlan{NoEmailDeadline: testEmailFrom}},
		{"recovery codes alone ask for nothing", inLogin, holding{recovery: 5}, LoginPlan{NoEmailDeadline: testEmailFrom}},
		{"email required: blocked without one", inEmail, holding{}, LoginPlan{Blocked: true, BlockedSince: testEmailFrom, BlockedReason: "no_valid_email"}},
		{"email required: fallback with one", inEmail, holding{email: true}, LoginPlan{Methods: planMethods(MethodEmail), EmailFallback: true}},
		{"email required: an app is enough", inEmail, holding{totp: forLogin}, LoginPlan{Methods: planMethods(MethodTOTP)}},
		{"locked", inLogin, holding{totp: forLogin, lockedUntil: inLogin.Add(time.Minute)}, LoginPlan{Methods: planMethods(MethodTOTP), LockedUntil: inLogin.Add(time.Minute)}},
		{"lock over", inLogin, holding{totp: forLogin, lockedUntil: inLogin}, LoginPlan{Methods: planMethods(MethodTOTP)}},
		{"passkey before its phase is one method among others", inLogin, holding{totp: forLogin, passkey: forLogin}, LoginPlan{Methods: planMethods(MethodPasskey, MethodTOTP)}},
		{"phishing-resistant, no passkey: prompt, may postpone", inPhish, holding{totp: forLogin}, LoginPlan{Methods: planMethods(MethodTOTP), PromptPasskey: true, CanPostpone: true}},
		{"phishing-resistant, postponed twice: may postpone", inPhish, holding{totp: forLogin, postponed: 2}, LoginPlan{Methods: planMethods(MethodTOTP), PromptPasskey: true, CanPostpone: true}},
		{"phishing-resistant, postpones used up", inPhish, holding{totp: forLogin, postponed: 3}, LoginPlan{Methods: planMethods(MethodTOTP), PromptPasskey: true}},
		{"phishing-resistant, passkey for login: passkey only", inPhish, holding{totp: forLogin, passkey: forLogin, recovery: 4}, LoginPlan{Methods: planMethods(MethodPasskey)}},
		{"phishing-resistant, passkey for withdrawal only: no prompt", inPhish, holding{totp: forLogin, passkey: forWithdrawal}, LoginPlan{Methods: planMethods(MethodTOTP)}},
		{"phishing-resistant, cloned passkey counts as none", inPhish, holding{totp: forLogin, passkey: forLogin, passkeyCloned: true}, LoginPlan{Methods: planMethods(MethodTOTP), PromptPasskey: true, CanPostpone: true}},
		{"interim methods over, no passkey: blocked", afterInter, holding{email: true, totp: forAll, recovery: 5}, LoginPlan{Blocked: true, BlockedSince: testInterimTill, BlockedReason: "passkey_required"}},
		{"interim methods over, passkey for login", afterInter, holding{totp: forAll, passkey: forLogin}, LoginPlan{Methods: planMethods(MethodPasskey)}},
		{"interim methods over, passkey not for login: blocked", afterInter, holding{passkey: forAccount}, LoginPlan{Blocked: true, BlockedSince: testInterimTill, BlockedReason: "passkey_required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env.now = tc.at
			c := env.customer(tc.has)
			got, err := env.s.PlanLogin(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if !equalLoginPlan(got, tc.want) {
				t.Errorf("PlanLogin = %+v\nwant %+v", got, tc.want)
			}
			if got.Required() != (len(tc.want.Methods) > 0) {
				t.Errorf("Required() = %v with methods %v", got.Required(), got.Methods)
			}
		})
	}
}

func equalLoginPlan(a, b LoginPlan) bool {
	return slices.Equal(a.Methods, b.Methods) && a.EmailFallback == b.EmailFallback && a.Blocked == b.Blocked &&
		a.BlockedSince.Equal(b.BlockedSince) && a.BlockedReason == b.BlockedReason &&
		a.NoEmailDeadline.Equal(b.NoEmailDeadline) && a.LockedUntil.Equal(b.LockedUntil) &&
		a.PromptPasskey == b.PromptPasskey && a.CanPostpone == b.CanPostpone
}

func TestPlanStepUp(t *testing.T) {
	env := newPolicyEnv(t)
	tests := []struct {
		name string
		at   time.Time
		use  Use
		has  holding
		want StepUpPlan
	}{
		{"account change with an app for it", inLogin, UseAccount, holding{totp: forAccount}, StepUpPlan{Methods: planMethods(MethodTOTP), Required: true}},
		{"account change, factors not chosen for it", inLogin, UseAccount, holding{totp: forLogin, email: true, recovery: 3}, StepUpPlan{}},
		{"withdrawal by SMS, recovery last", inLogin, UseWithdrawal, holding{sms: forWithdrawal, recovery: 3}, StepUpPlan{Methods: planMethods(MethodSMS, MethodRecovery), Required: true}},
		{"withdrawal, nothing chosen: not asked", inLogin, UseWithdrawal, holding{totp: forLogin}, StepUpPlan{}},
		{"factor change, no factor: email", inLogin, UseAny, holding{email: true}, StepUpPlan{Methods: planMethods(MethodEmail), Required: true}},
		{"factor change, no factor, no email: required, no method", inLogin, UseAny, holding{}, StepUpPlan{Required: true}},
		{"factor change takes any factor", inLogin, UseAny, holding{totp: forLogin, sms: forWithdrawal, email: true}, StepUpPlan{Methods: planMethods(MethodTOTP, MethodSMS), Required: true}},
		{"bank change takes any factor", inLogin, UseBank, holding{sms: forLogin, recovery: 1}, StepUpPlan{Methods: planMethods(MethodSMS, MethodRecovery), Required: true}},
		{"phishing-resistant, passkey for withdrawal: passkey only", inPhish, UseWithdrawal, holding{totp: forAll, passkey: forWithdrawal, recovery: 2}, StepUpPlan{Methods: planMethods(MethodPasskey), Required: true}},
		{"phishing-resistant, no passkey: interim methods", inPhish, UseWithdrawal, holding{totp: forWithdrawal}, StepUpPlan{Methods: planMethods(MethodTOTP), Required: true}},
		{"phishing-resistant does not cover account changes", inPhish, UseAccount, holding{totp: forAccount, passkey: forWithdrawal}, StepUpPlan{Methods: planMethods(MethodTOTP), Required: true}},
		{"phishing-resistant, any passkey passes a bank change", inPhish, UseBank, holding{totp: forAll, passkey: forAccount}, StepUpPlan{Methods: planMethods(MethodPasskey), Required: true}},
		{"interim over, withdrawal without passkey: required, no method", afterInter, UseWithdrawal, holding{totp: forAll, recovery: 2}, StepUpPlan{Required: true}},
		{"interim over, bank change without passkey: no email either", afterInter, UseBank, holding{email: true}, StepUpPlan{Required: true}},
		{"interim over, withdrawal not chosen still needs a passkey", afterInter, UseWithdrawal, holding{passkey: forLogin}, StepUpPlan{Required: true}},
		{"interim over, account change keeps interim methods", afterInter, UseAccount, holding{sms: forAccount}, StepUpPlan{Methods: planMethods(MethodSMS), Required: true}},
		{"interim over, cloned passkey passes nothing", afterInter, UseWithdrawal, holding{passkey: forAll, passkeyCloned: true}, StepUpPlan{Required: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env.now = tc.at
			c := env.customer(tc.has)
			got, err := env.s.PlanStepUp(context.Background(), c, tc.use)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Methods, tc.want.Methods) || got.Required != tc.want.Required {
				t.Errorf("PlanStepUp(%s) = %+v, want %+v", tc.use, got, tc.want)
			}
		})
	}
}

func TestActive(t *testing.T) {
	from := time.Date(2025, 5, 30, 0, 0, 0, 0, jst.Zone)
	tests := []struct {
		from, now time.Time
		want      bool
	}{
		{time.Time{}, from, false}, // a zero date turns the phase off
		{from, from.Add(-time.Nanosecond), false},
		{from, from, true},
		{from, from.AddDate(1, 0, 0), true},
		{from, from.UTC(), true}, // the zone the date is written in does not matter
	}
	for _, tc := range tests {
		if got := active(tc.from, tc.now); got != tc.want {
			t.Errorf("active(%v, %v) = %v, want %v", tc.from, tc.now, got, tc.want)
		}
	}
}

func TestUseAllows(t *testing.T) {
	login := &data.Factor{UseLogin: true}
	account := &data.Factor{UseAccount: true}
	withdrawal := &data.Factor{UseWithdrawal: true}
	none := &data.Factor{}
	tests := []struct {
		use                              Use
		login, account, withdrawal, none bool
		phishingResistant                bool
	}{
		{UseLogin, true, false, false, false, true},
		{UseAccount, false, true, false, false, false},
		{UseWithdrawal, false, false, true, false, true},
		{UseAny, true, true, true, true, false},
		{UseBank, true, true, true, true, true},
		{Use("other"), false, false, false, false, false},
	}
	for _, tc := range tests {
		got := []bool{tc.use.allows(login), tc.use.allows(account), tc.use.allows(withdrawal), tc.use.allows(none)}
		if want := []bool{tc.login, tc.account, tc.withdrawal, tc.none}; !slices.Equal(got, want) {
			t.Errorf("%s allows login/account/withdrawal/none factors = %v, want %v", tc.use, got, want)
		}
		if got := phishingResistantUse(tc.use); got != tc.phishingResistant {
			t.Errorf("phishingResistantUse(%s) = %v, want %v", tc.use, got, tc.phishingResistant)
		}
		pk := &data.Passkey{UseAccount: true}
		if got := tc.use.allowsPasskey(pk); got != tc.account {
			t.Errorf("%s allows an account passkey = %v, want %v", tc.use, got, tc.account)
		}
	}
}

func TestMethodValid(t *testing.T) {
	for m, want := range map[Method]bool{
		MethodTOTP: true, MethodSMS: true, MethodEmail: true, MethodRecovery: true,
		// Neither is chosen by name on a form: the passkey has its own
		// ceremony and the temporary pass is support's, login only.
		MethodPasskey: false, MethodTempPass: false,
		"": false, "TOTP": false,
	} {
		if got := m.Valid(); got != want {
			t.Errorf("Method(%q).Valid() = %v, want %v", m, got, want)
		}
	}
}

func TestPlanAllows(t *testing.T) {
	p := LoginPlan{Methods: planMethods(MethodTOTP, MethodRecovery)}
	for m, want := range map[Method]bool{MethodTOTP: true, MethodRecovery: true, MethodSMS: false, MethodEmail: false, MethodPasskey: false} {
		if got := p.Allows(m); got != want {
			t.Errorf("LoginPlan.Allows(%s) = %v, want %v", m, got, want)
		}
		if got := (StepUpPlan{Methods: p.Methods, Required: true}).Allows(m); got != want {
			t.Errorf("StepUpPlan.Allows(%s) = %v, want %v", m, got, want)
		}
	}
	if (LoginPlan{}).Required() || (LoginPlan{}).Allows(MethodEmail) {
		t.Error("an empty plan asks for nothing and allows nothing")
	}
}
