package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

// PurposeLogin binds a code to the login it was sent for; a code sent for
// one purpose never passes another.
const PurposeLogin = "login"

// SendWait is returned with ErrResendTooSoon: how long until a resend.
type SendWait struct{ Wait time.Duration }

func (e *SendWait) Error() string { return fmt.Sprintf("resend possible in %s", e.Wait) }
func (e *SendWait) Unwrap() error { return ErrResendTooSoon }

// Destination returns where a code for method goes, or "" for TOTP.
func (s *Service) Destination(ctx context.Context, c *data.Customer, m Method) (string, error) {
	switch m {
	case MethodEmail:
		return c.Email, nil
	case MethodSMS:
		factors, err := s.DB.ConfirmedFactors(ctx, c.ID)
		if err != nil {
			return "", err
		}
		if f := loginFactor(factors, data.FactorSMS); f != nil {
			return f.Phone, nil
		}
		return "", ErrMethodNotAllowed
	}
	return "", nil
}

// SendCode issues a new code for the session and purpose by SMS or email,
// voiding the previous one, and queues the message in the same
// transaction. Sending is throttled per account (cool-down and hourly cap)
// and never counts toward the lock.
func (s *Service) SendCode(ctx context.Context, c *data.Customer, sessionHash, purpose string, m Method) error {
	if m != MethodSMS && m != MethodEmail {
		return ErrMethodNotAllowed
	}
	to, err := s.Destination(ctx, c, m)
	if err != nil {
		return err
	}
	if to == "" || (m == MethodEmail && !c.HasValidEmail()) {
		return ErrMethodNotAllowed
	}
	code, err := NewCode()
	if err != nil {
		return err
	}
	hash, err := s.Codes.Hash(code)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		now := tx.Now()
		count, newest, err := tx.ChallengeSends(ctx, c.ID, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if wait := newest.Add(s.Config.ResendCooldown).Sub(now); count > 0 && wait > 0 {
			return &SendWait{Wait: wait}
		}
		if count >= s.Config.SendsPerHour {
			return ErrSendLimit
		}
		if _, err := tx.CreateChallenge(ctx, &data.Challenge{
			CustomerID: c.ID, SessionHash: sessionHash, Purpose: purpose, Channel: string(m),
			Destination: to, CodeHash: hash, ExpiresAt: now.Add(s.Config.CodeTTL),
		}); err != nil {
			return err
		}
		if err := notify.Queue(ctx, tx, c.ID, string(m), to, notify.LoginCode(string(m), code, s.Config.CodeTTL)); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
			Action: "code.send", Outcome: "queued", Detail: "purpose=" + purpose + " channel=" + string(m)})
	})
}

// VerifyInput is one attempt at a second factor.
type VerifyInput struct {
	Customer    *data.Customer
	SessionHash string
	Purpose     string
	Method      Method
	Code        string // as typed; normalised here
	ClientIP    string
}

// Verify checks a TOTP or one-time code. Every outcome is written in one
// transaction with the lock counter and the audit event, so many parallel
// submissions of one valid code are serialised and exactly one passes.
func (s *Service) Verify(ctx context.Context, in VerifyInput) error {
	code, ok := NormalizeCode(in.Code)
	if !ok {
		// Not counted: a typo in the shape of the code tells an attacker
		// nothing, and the customer gets a precise message.
		return ErrMalformedCode
	}
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		c, err := tx.CustomerByID(ctx, in.Customer.ID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if now.Before(c.MFALockedUntil) {
			result = ErrLocked
			return tx.Audit(ctx, s.verifyEvent(c, in, "locked"))
		}
		switch in.Method {
		case MethodTOTP:
			result, err = s.checkTOTP(ctx, tx, c, code)
		case MethodSMS, MethodEmail:
			result, err = s.checkChallenge(ctx, tx, in, code)
		default:
			result = ErrMethodNotAllowed
		}
		if err != nil {
			return err
		}
		locked, err := s.recordOutcome(ctx, tx, c, in, result)
		if locked {
			result = ErrLocked
		}
		return err
	})
	if err != nil {
		return err
	}
	return result
}

func (s *Service) checkTOTP(ctx context.Context, tx *data.Tx, c *data.Customer, code string) (error, error) {
	factors, err := tx.ConfirmedFactors(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	f := loginFactor(factors, data.FactorTOTP)
	if f == nil {
		return ErrMethodNotAllowed, nil
	}
	secret, err := s.Box.Open(f.SecretEnc, factorAAD(f))
	if err != nil {
		return nil, fmt.Errorf("open totp secret of factor %d: %w", f.ID, err)
	}
	step, ok := MatchTOTP(string(secret), code, tx.Now(), f.LastStep)
	if !ok {
		return ErrWrongCode, nil
	}
	advanced, err := tx.AdvanceTOTPStep(ctx, f.ID, step)
	if err != nil {
		return nil, err
	}
	if !advanced {
		return ErrWrongCode, nil
	}
	return nil, nil
}

func (s *Service) checkChallenge(ctx context.Context, tx *data.Tx, in VerifyInput, code string) (error, error) {
	ch, err := tx.OpenChallenge(ctx, in.SessionHash, in.Purpose)
	if errors.Is(err, data.ErrNotFound) {
		return ErrNoCode, nil
	}
	if err != nil {
		return nil, err
	}
	if ch.CustomerID != in.Customer.ID || ch.Channel != string(in.Method) {
		return ErrNoCode, nil
	}
	if !tx.Now().Before(ch.ExpiresAt) {
		return ErrCodeExpired, nil
	}
	if ch.Attempts >= s.Config.CodeMaxAttempts {
		return ErrTooManyTries, nil
	}
	if !s.Codes.Check(ch.CodeHash, code) {
		if err := tx.CountAttempt(ctx, ch.ID); err != nil {
			return nil, err
		}
		if ch.Attempts+1 >= s.Config.CodeMaxAttempts {
			return ErrTooManyTries, nil
		}
		return ErrWrongCode, nil
	}
	used, err := tx.UseChallenge(ctx, ch.ID)
	if err != nil {
		return nil, err
	}
	if !used {
		return ErrWrongCode, nil
	}
	return nil, nil
}

// recordOutcome keeps the consecutive-failure count shared by every entry
// point: a success clears it, a wrong code adds one, and reaching the
// threshold locks the second factor and tells the customer. It reports
// whether this failure locked it.
func (s *Service) recordOutcome(ctx context.Context, tx *data.Tx, c *data.Customer, in VerifyInput, result error) (bool, error) {
	now := tx.Now()
	switch {
	case result == nil:
		if err := tx.SetMFAFailures(ctx, c.ID, 0, time.Time{}, time.Time{}); err != nil {
			return false, err
		}
		return false, tx.Audit(ctx, s.verifyEvent(c, in, "success"))
	case errors.Is(result, ErrWrongCode), errors.Is(result, ErrTooManyTries):
	default:
		return false, tx.Audit(ctx, s.verifyEvent(c, in, "refused:"+reason(result)))
	}
	failures := c.MFAFailures
	lockEnded := !c.MFALockedUntil.IsZero() && c.MFALockedUntil.Unix() > 0 && !now.Before(c.MFALockedUntil)
	if lockEnded || now.Sub(c.MFALastFailureAt) > s.Config.FailureWindow {
		failures = 0
	}
	failures++
	var lockedUntil time.Time
	if failures >= s.Config.LockThreshold {
		lockedUntil = now.Add(s.Config.LockDuration)
	}
	if err := tx.SetMFAFailures(ctx, c.ID, failures, now, lockedUntil); err != nil {
		return false, err
	}
	if err := tx.Audit(ctx, s.verifyEvent(c, in, "failure:"+strconv.Itoa(failures))); err != nil {
		return false, err
	}
	if lockedUntil.IsZero() {
		return false, nil
	}
	if err := s.notifyCustomer(ctx, tx, c, notify.MFALocked(lockedUntil)); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "mfa", CustomerID: c.ID,
		Action: "mfa.lock", Outcome: "locked", ClientIP: in.ClientIP,
		Detail: "until=" + lockedUntil.UTC().Format(time.RFC3339)})
}

// notifyCustomer sends a security notice by email, and by SMS where the
// customer has a verified mobile number.
func (s *Service) notifyCustomer(ctx context.Context, tx *data.Tx, c *data.Customer, m notify.Message) error {
	if c.HasValidEmail() {
		if err := notify.Queue(ctx, tx, c.ID, notify.Email, c.Email, m); err != nil {
			return err
		}
	}
	if c.PhoneVerified && c.Phone != "" {
		sms := notify.Message{Kind: m.Kind, Body: m.Subject + " 詳しくはメールまたは当社サイトをご確認ください。"}
		return notify.Queue(ctx, tx, c.ID, notify.SMS, c.Phone, sms)
	}
	return nil
}

func (s *Service) verifyEvent(c *data.Customer, in VerifyInput, outcome string) data.AuditEvent {
	return data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
		Action: "mfa.verify", Outcome: outcome, ClientIP: in.ClientIP,
		Detail: "purpose=" + in.Purpose + " method=" + string(in.Method)}
}

func reason(err error) string {
	switch {
	case errors.Is(err, ErrCodeExpired):
		return "expired"
	case errors.Is(err, ErrNoCode):
		return "no_code"
	case errors.Is(err, ErrMethodNotAllowed):
		return "method"
	}
	return "other"
}

// factorAAD binds a sealed secret to its factor, so a secret copied to
// another row does not decrypt.
func factorAAD(f *data.Factor) []byte {
	return []byte("factor:" + strconv.FormatInt(f.CustomerID, 10) + ":" + f.Kind)
}

// SealTOTPSecret encrypts a TOTP secret for storage in a factor of the customer.
func (s *Service) SealTOTPSecret(customerID int64, secret string) ([]byte, error) {
	return s.Box.Seal([]byte(secret), factorAAD(&data.Factor{CustomerID: customerID, Kind: data.FactorTOTP}))
}
