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
)

func (u Use) allows(f *data.Factor) bool {
	switch u {
	case UseLogin:
		return f.UseLogin
	case UseAccount:
		return f.UseAccount
	case UseWithdrawal:
		return f.UseWithdrawal
	case UseAny:
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
	// Blocked: no usable method and the programme no longer lets them in
	// (no valid email after email_required_from). BlockedSince says when.
	Blocked      bool
	BlockedSince time.Time
	// NoEmailDeadline is set when the customer may still log in without a
	// second factor but will be blocked from that date.
	NoEmailDeadline time.Time
	// LockedUntil is set while the second factor is locked by failures.
	LockedUntil time.Time
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

// PlanLogin applies DESIGN §1 to the customer's factors at the current time.
func (s *Service) PlanLogin(ctx context.Context, c *data.Customer) (LoginPlan, error) {
	factors, err := s.DB.ConfirmedFactors(ctx, c.ID)
	if err != nil {
		return LoginPlan{}, err
	}
	now := s.DB.Now()
	var plan LoginPlan
	plan.Methods = factorMethods(factors, UseLogin)
	if len(plan.Methods) == 0 && active(s.Config.LoginMFAFrom, now) {
		switch {
		case c.HasValidEmail():
			plan.Methods, plan.EmailFallback = []Method{MethodEmail}, true
		case active(s.Config.EmailRequiredFrom, now):
			plan.Blocked, plan.BlockedSince = true, s.Config.EmailRequiredFrom
		default:
			plan.NoEmailDeadline = s.Config.EmailRequiredFrom
		}
	}
	if now.Before(c.MFALockedUntil) {
		plan.LockedUntil = c.MFALockedUntil
	}
	if plan.Required() {
		if plan.Methods, err = s.withRecovery(ctx, c, plan.Methods); err != nil {
			return LoginPlan{}, err
		}
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
// UseAny, for changes to factors and contacts, always requires a second
// factor: any enrolled one, else the email fallback.
func (s *Service) PlanStepUp(ctx context.Context, c *data.Customer, use Use) (StepUpPlan, error) {
	factors, err := s.DB.ConfirmedFactors(ctx, c.ID)
	if err != nil {
		return StepUpPlan{}, err
	}
	plan := StepUpPlan{Methods: factorMethods(factors, use)}
	if use == UseAny {
		if len(plan.Methods) == 0 && c.HasValidEmail() {
			plan.Methods = []Method{MethodEmail}
		}
		plan.Required = true
	} else {
		plan.Required = len(plan.Methods) > 0
	}
	if plan.Methods, err = s.withRecovery(ctx, c, plan.Methods); err != nil {
		return StepUpPlan{}, err
	}
	return plan, nil
}

// withRecovery adds recovery codes as the last way, when some remain.
func (s *Service) withRecovery(ctx context.Context, c *data.Customer, methods []Method) ([]Method, error) {
	n, err := s.DB.CountUnusedRecoveryCodes(ctx, c.ID)
	if err != nil || n == 0 {
		return methods, err
	}
	return append(methods, MethodRecovery), nil
}

// factorMethods lists the methods of the factors used for use, app first.
func factorMethods(factors []data.Factor, use Use) []Method {
	var out []Method
	if factorFor(factors, data.FactorTOTP, use) != nil {
		out = append(out, MethodTOTP)
	}
	if factorFor(factors, data.FactorSMS, use) != nil {
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
