package mfa

import (
	"context"
	"time"

	"mfadesk/data"
)

// Method is a way to pass the second factor.
type Method string

// Methods, in the order the programme steers customers to them.
const (
	MethodTOTP  Method = "totp"
	MethodSMS   Method = "sms"
	MethodEmail Method = "email"
	// MethodRecovery is a single-use recovery code, for a lost device.
	MethodRecovery Method = "recovery"
	// MethodTempPass is a temporary access pass support issued after a
	// reset: it passes login only, once, and is never offered in a plan.
	MethodTempPass Method = "temp_pass"
)

// Valid reports whether m names a method.
func (m Method) Valid() bool {
	return m == MethodTOTP || m == MethodSMS || m == MethodEmail || m == MethodRecovery
}

// Use is what a second factor is passed for: the three services of the
// programme, or UseAny for changes that accept any enrolled factor.
type Use string

// Uses of a factor.
const (
	UseLogin      Use = "login"
	UseAccount    Use = "account"
	UseWithdrawal Use = "withdrawal"
	UseAny        Use = "any"
	// UseBank is a change of the withdrawal bank account: any factor, but
	// covered by the phishing-resistant requirement like withdrawal.
	UseBank Use = "bank"
)

func (u Use) allows(f *data.Factor) bool {
	switch u {
	case UseLogin:
		return f.UseLogin
	case UseAccount:
		return f.UseAccount
	case UseWithdrawal:
		return f.UseWithdrawal
	case UseAny, UseBank:
		return true
	}
	return false
}

// LoginPlan is what the enforcement policy asks of one customer at login.
type LoginPlan struct {
	// Methods the customer may use, preferred first; empty when no second
	// factor is asked for.
	Methods []Method
	// EmailFallback: the customer has neither app nor SMS for login, so an
	// email code is used and the page steers them to the app.
	EmailFallback bool
	// Blocked: no usable method and the programme no longer lets them in.
	// BlockedSince says from when, BlockedReason why.
	Blocked       bool
	BlockedSince  time.Time
	BlockedReason string // "no_valid_email" or "passkey_required"
	// NoEmailDeadline is set when the customer may still log in without a
	// second factor but will be blocked from that date.
	NoEmailDeadline time.Time
	// LockedUntil is set while the second factor is locked by failures.
	LockedUntil time.Time
	// PromptPasskey: after login, ask the customer to register a passkey
	// (phishing-resistant phase, no passkey yet). CanPostpone says whether
	// 「あとで」 is still offered.
	PromptPasskey bool
	CanPostpone   bool
}

// Required reports whether a second factor must be passed.
func (p LoginPlan) Required() bool { return len(p.Methods) > 0 }

// Allows reports whether m is one of the plan's methods.
func (p LoginPlan) Allows(m Method) bool {
	for _, x := range p.Methods {
		if x == m {
			return true
		}
	}
	return false
}

// PlanLogin applies the phases of docs/design.md §2 to the customer's factors at the current time.
func (s *Service) PlanLogin(ctx context.Context, c *data.Customer) (LoginPlan, error) {
	f, err := s.loadFactors(ctx, c)
	if err != nil {
		return LoginPlan{}, err
	}
	now := s.DB.Now()
	var plan LoginPlan
	if now.Before(c.MFALockedUntil) {
		plan.LockedUntil = c.MFALockedUntil
	}
	plan.Methods = f.methods(UseLogin)
	if s.passkeyOnly(f, UseLogin) {
		if f.hasPasskey(UseLogin) {
			plan.Methods = []Method{MethodPasskey}
		} else {
			plan.Methods, plan.Blocked = nil, true
			plan.BlockedSince, plan.BlockedReason = s.Config.InterimMethodsUntil, "passkey_required"
		}
		return plan, nil
	}
	if active(s.Config.PhishingResistantFrom, now) && !f.hasPasskey(UseAny) {
		plan.PromptPasskey = true
		plan.CanPostpone = c.PasskeyPromptsPostponed < s.Config.PasskeyPostpones
	}
	if len(plan.Methods) == 0 && active(s.Config.LoginMFAFrom, now) {
		switch {
		case c.HasValidEmail():
			plan.Methods, plan.EmailFallback = []Method{MethodEmail}, true
		case active(s.Config.EmailRequiredFrom, now):
			plan.Blocked, plan.BlockedSince, plan.BlockedReason = true, s.Config.EmailRequiredFrom, "no_valid_email"
		default:
			plan.NoEmailDeadline = s.Config.EmailRequiredFrom
		}
	}
	if plan.Required() && f.recovery > 0 {
		plan.Methods = append(plan.Methods, MethodRecovery)
	}
	return plan, nil
}

// StepUpPlan is what a sensitive operation asks of the customer.
type StepUpPlan struct {
	Methods []Method
	// Required is false when the customer's settings do not ask for a
	// second factor for this service.
	Required bool
}

// Allows reports whether m is one of the plan's methods.
func (p StepUpPlan) Allows(m Method) bool { return LoginPlan{Methods: p.Methods}.Allows(m) }

// PlanStepUp applies the customer's 「利用する」 choices to a service.
// UseAny and UseBank, for changes to factors, contacts and the bank
// account, always require a second factor: any enrolled one, else the
// email fallback. Where the phishing-resistant phase applies, only a
// passkey is offered.
func (s *Service) PlanStepUp(ctx context.Context, c *data.Customer, use Use) (StepUpPlan, error) {
	f, err := s.loadFactors(ctx, c)
	if err != nil {
		return StepUpPlan{}, err
	}
	plan := StepUpPlan{Methods: f.methods(use)}
	always := use == UseAny || use == UseBank
	if always && len(plan.Methods) == 0 && c.HasValidEmail() {
		plan.Methods = []Method{MethodEmail}
	}
	plan.Required = always || len(plan.Methods) > 0
	if s.passkeyOnly(f, use) {
		plan.Methods, plan.Required = nil, true
		if f.hasPasskey(use) {
			plan.Methods = []Method{MethodPasskey}
		}
		return plan, nil
	}
	if plan.Required && f.recovery > 0 {
		plan.Methods = append(plan.Methods, MethodRecovery)
	}
	return plan, nil
}

// phishingResistantUse reports whether the guideline's phishing-resistant
// requirement covers a use: login, withdrawal and bank-account change.
func phishingResistantUse(use Use) bool {
	return use == UseLogin || use == UseWithdrawal || use == UseBank
}

// passkeyOnly reports whether only a passkey may pass use for this
// customer now: from interim_methods_until for everyone, from
// phishing_resistant_from for customers who have a passkey for it.
func (s *Service) passkeyOnly(f *customerFactors, use Use) bool {
	if !phishingResistantUse(use) {
		return false
	}
	now := s.DB.Now()
	if s.Config.PasskeyOnlyForAll(now) {
		return true
	}
	return active(s.Config.PhishingResistantFrom, now) && f.hasPasskey(use)
}

// customerFactors is everything that can pass a second factor for a customer.
type customerFactors struct {
	factors  []data.Factor
	passkeys []data.Passkey
	recovery int
}

func (s *Service) loadFactors(ctx context.Context, c *data.Customer) (*customerFactors, error) {
	sum, err := s.DB.FactorSummaryOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &customerFactors{factors: sum.Factors, passkeys: sum.Passkeys, recovery: sum.Recovery}, nil
}

func (f *customerFactors) hasPasskey(use Use) bool {
	for i := range f.passkeys {
		if !f.passkeys[i].Cloned && use.allowsPasskey(&f.passkeys[i]) {
			return true
		}
	}
	return false
}

// methods lists the methods of the factors used for use, the
// phishing-resistant passkey first, then the app, then SMS.
func (f *customerFactors) methods(use Use) []Method {
	var out []Method
	if f.hasPasskey(use) {
		out = append(out, MethodPasskey)
	}
	if factorFor(f.factors, data.FactorTOTP, use) != nil {
		out = append(out, MethodTOTP)
	}
	if factorFor(f.factors, data.FactorSMS, use) != nil {
		out = append(out, MethodSMS)
	}
	return out
}

// factorFor returns the customer's factor of that kind used for use.
func factorFor(factors []data.Factor, kind string, use Use) *data.Factor {
	for i := range factors {
		if factors[i].Kind == kind && use.allows(&factors[i]) {
			return &factors[i]
		}
	}
	return nil
}
