package mfa

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

// A forgotten login password is reset by the customer alone: login ID and
// birth date (a knowledge item), then a passkey or the strongest code
// factor they have, then the new password (docs/security.md S63). Nothing on the way
// tells whether the account exists or the birth date matched.

// PurposePasswordReset binds the code of a reset to its session.
const PurposePasswordReset = "password_reset"

// MethodNone is the reset's method when the details did not match, the
// account is locked, or no factor may prove a reset: no code is sent and
// every code typed fails like a wrong one.
const MethodNone Method = "none"

// ResetStart is the first step of a reset, as typed.
type ResetStart struct {
	LoginID   string
	BirthDate string
	ClientIP  string
}

// StartPasswordReset checks login ID and birth date under the password
// limits (per login ID as typed, so unknown IDs are limited alike, and per
// address). It returns the customer and the method that must prove the
// reset, or nil and MethodNone for any refusal but a throttled address
// (ErrAddressThrottled, which says nothing about the account).
func (s *Service) StartPasswordReset(ctx context.Context, in ResetStart) (*data.Customer, Method, error) {
	try := passwordTry{acctKey: "reset-id:" + in.LoginID, addrKey: "reset-addr:" + in.ClientIP}
	event := data.AuditEvent{ActorKind: "customer", Actor: quoteForAudit(in.LoginID), Action: "password.reset.start",
		ClientIP: in.ClientIP}
	switch err := s.reserve(ctx, try); {
	case errors.Is(err, ErrAddressThrottled):
		return nil, MethodNone, s.auditReset(ctx, event, "throttled:address", err)
	case errors.Is(err, errAccountThrottled):
		return nil, MethodNone, s.auditReset(ctx, event, "throttled:login_id", nil)
	case err != nil:
		return nil, MethodNone, err
	}
	c, err := s.DB.CustomerByLoginID(ctx, in.LoginID)
	if errors.Is(err, data.ErrNotFound) {
		return nil, MethodNone, s.auditReset(ctx, event, "failure:no_match", nil)
	}
	if err != nil {
		return nil, MethodNone, err
	}
	event.CustomerID = c.ID
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(in.BirthDate)), []byte(c.BirthDate)) != 1 {
		return nil, MethodNone, s.auditReset(ctx, event, "failure:no_match", nil)
	}
	// The places stay taken: each try of a login ID counts, so guessing
	// birth dates is bounded whether or not one was right.
	if s.DB.Now().Before(c.MFALockedUntil) {
		return nil, MethodNone, s.auditReset(ctx, event, "refused:locked", nil)
	}
	m, err := s.resetMethod(ctx, c)
	if err != nil {
		return nil, MethodNone, err
	}
	if m == MethodNone {
		return nil, MethodNone, s.auditReset(ctx, event, "refused:no_method", nil)
	}
	return c, m, s.auditReset(ctx, event, "matched:"+string(m), nil)
}

// resetMethod is the code that may prove a reset: the app, else the SMS
// number, else a passkey (no code at all), else an email code, but never
// email when a stronger factor (app, SMS, passkey) is enrolled. A passkey
// proves any matched reset (VerifyResetPasskey); it is the only way for a
// customer whose only strong factor it is.
func (s *Service) resetMethod(ctx context.Context, c *data.Customer) (Method, error) {
	f, err := s.loadFactors(ctx, c)
	if err != nil {
		return MethodNone, err
	}
	switch {
	case factorFor(f.factors, data.FactorTOTP, UseAny) != nil:
		return MethodTOTP, nil
	case factorFor(f.factors, data.FactorSMS, UseAny) != nil:
		return MethodSMS, nil
	case f.hasPasskey(UseAny):
		return MethodPasskey, nil
	case len(f.factors) > 0 || !c.HasValidEmail():
		return MethodNone, nil
	}
	return MethodEmail, nil
}

// smsFactor is the customer's SMS factor with a number to send to, if any.
func smsFactor(factors []data.Factor) *data.Factor {
	if f := factorFor(factors, data.FactorSMS, UseAny); f != nil && f.Phone != "" {
		return f
	}
	return nil
}

func (s *Service) auditReset(ctx context.Context, e data.AuditEvent, outcome string, result error) error {
	e.Outcome = outcome
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return result
}

// SendResetCode sends the code of a reset by SMS or email, bound to the
// reset's session.
func (s *Service) SendResetCode(ctx context.Context, c *data.Customer, sessionHash string, m Method) error {
	to := c.Email
	if m == MethodSMS {
		factors, err := s.DB.ConfirmedFactors(ctx, c.ID)
		if err != nil {
			return err
		}
		f := smsFactor(factors)
		if f == nil {
			return ErrMethodNotAllowed
		}
		to = f.Phone
	}
	return s.sendCode(ctx, codeRequest{customer: c, sessionHash: sessionHash, purpose: PurposePasswordReset,
		channel: string(m), to: to, message: func(code string) notify.Message {
			return notify.PasswordResetCode(code, s.Config.CodeTTL, string(m))
		}})
}

// VerifyReset checks the reset's second factor with the lock shared by
// every entry point: a locked customer fails with ErrLocked.
func (s *Service) VerifyReset(ctx context.Context, c *data.Customer, sessionHash string, m Method, code, clientIP string) error {
	in := VerifyInput{Customer: c, SessionHash: sessionHash, Purpose: PurposePasswordReset, Use: UseAny,
		Method: m, Code: code, ClientIP: clientIP}
	return s.attempt(ctx, in, func(tx *data.Tx, c *data.Customer) (refusal, err error) {
		return s.checkFactor(ctx, tx, c, in)
	}, nil)
}

// ResetPassword sets a new login password after a reset was proven. The
// new hash, the end of every session, the withdrawal hold (as after a
// contact change), the audit event and the notice to every verified
// contact commit together.
func (s *Service) ResetPassword(ctx context.Context, customerID int64, newPassword, clientIP string) error {
	c, err := s.DB.CustomerByID(ctx, customerID)
	if err != nil {
		return err
	}
	return s.resetPassword(ctx, c, newPassword, clientIP, "", nil)
}

// resetPassword is ResetPassword's check and transaction; via names the
// proof in the audit detail and inTx, if any, runs first in the same
// transaction (it uses up a support code).
func (s *Service) resetPassword(ctx context.Context, c *data.Customer, newPassword, clientIP, via string,
	inTx func(tx *data.Tx) error) error {
	if err := CheckNewPassword(newPassword, c.LoginID); err != nil {
		return err
	}
	// The trading password guards orders; it must not also be the login one.
	same, err := s.checkCustomerPassword(ctx, c.TradingPasswordHash, newPassword)
	if err != nil {
		return fmt.Errorf("check trading password of %d: %w", c.ID, err)
	}
	if same {
		return ErrSameAsOtherPassword
	}
	newHash, err := s.hashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if inTx != nil {
			if err := inTx(tx); err != nil {
				return err
			}
		}
		now := tx.Now()
		holdUntil := now.Add(s.Config.WithdrawalHold)
		if err := tx.SetLoginPasswordHash(ctx, c.ID, c.PasswordHash, newHash); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, c.ID, ""); err != nil {
			return err
		}
		if err := tx.HoldWithdrawals(ctx, c.ID, holdUntil, "password_reset"); err != nil {
			return err
		}
		detail := "hold_until=" + holdUntil.UTC().Format(time.RFC3339)
		if via != "" {
			detail += " via=" + via
		}
		if err := tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: quoteForAudit(c.LoginID), CustomerID: c.ID,
			Action: "password.reset", Outcome: "success", ClientIP: clientIP, Detail: detail}); err != nil {
			return err
		}
		return notify.NotifyCustomer(ctx, tx, c, notify.PasswordReset(now, holdUntil))
	})
}
