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
)

// Valid reports whether m names a method.
func (m Method) Valid() bool {
	return m == MethodTOTP || m == MethodSMS || m == MethodEmail
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
	if hasFactor(factors, data.FactorTOTP) {
		plan.Methods = append(plan.Methods, MethodTOTP)
	}
	if hasFactor(factors, data.FactorSMS) {
		plan.Methods = append(plan.Methods, MethodSMS)
	}
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
	return plan, nil
}

func hasFactor(factors []data.Factor, kind string) bool {
	return loginFactor(factors, kind) != nil
}

// loginFactor returns the customer's factor of that kind used for login.
func loginFactor(factors []data.Factor, kind string) *data.Factor {
	for i := range factors {
		if factors[i].Kind == kind && factors[i].UseLogin {
			return &factors[i]
		}
	}
	return nil
}
