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

// PurposeConsoleVerification marks the console's codes in the lock's audit events.
const PurposeConsoleVerification = "console_verification"

// VerifyInput is one attempt at a second factor.
type VerifyInput struct {
	Customer    *data.Customer
	SessionHash string
	Purpose     string // what a one-time code must have been sent for
	Use         Use    // which factors may pass (their 「利用する」 choice)
	Method      Method
	Code        string // as typed; normalised here
	ClientIP    string
}

// Verify checks a TOTP code, one-time code or recovery code.
func (s *Service) Verify(ctx context.Context, in VerifyInput) error {
	if in.Method == MethodPasskey {
		return s.verifyPasskey(ctx, in)
	}
	if err := s.refuseDowngrade(ctx, in); err != nil {
		return err
	}
	return s.attempt(ctx, in, func(tx *data.Tx, c *data.Customer) (refusal, err error) {
		return s.checkFactor(ctx, tx, c, in)
	}, nil)
}

// attempt runs one check of a second factor in one transaction with the
// lock counter shared by every entry point (login, step-up, enrolment,
// recovery codes): a locked account fails at once, the outcome is counted
// and audited, and onSuccess commits together with the success. Many
// parallel attempts with one valid code are serialised, so exactly one
// passes.
func (s *Service) attempt(ctx context.Context, in VerifyInput, check func(*data.Tx, *data.Customer) (refusal, err error), onSuccess func(*data.Tx, *data.Customer) error) error {
	var result error
	newlyLocked := false
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		c, err := tx.CustomerByID(ctx, in.Customer.ID)
		if err != nil {
			return err
		}
		// A code read back to staff on a case is how a locked customer
		// proves who they are before a supervisor reopens the account
		// (JSDA: re-verify before unlocking), so the lock does not refuse
		// it; its failures still count.
		if tx.Now().Before(c.MFALockedUntil) && in.Purpose != PurposeConsoleVerification {
			result = ErrLocked
			return tx.Audit(ctx, verifyEvent(c, in, "locked"))
		}
		if result, err = check(tx, c); err != nil {
			return err
		}
		locked, err := s.recordOutcome(ctx, tx, c, in, result)
		if err != nil {
			return err
		}
		if locked {
			result = ErrLocked
			newlyLocked = true
		}
		if result == nil && onSuccess != nil {
			return onSuccess(tx, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.observeSecondFactor(in, result)
	if newlyLocked && s.Observer != nil {
		s.Observer.Locked()
	}
	return result
}

func (s *Service) checkFactor(ctx context.Context, tx *data.Tx, c *data.Customer, in VerifyInput) (refusal, err error) {
	switch in.Method {
	case MethodRecovery:
		return s.checkRecovery(ctx, tx, c, in.Code)
	case MethodTempPass:
		return s.checkTempPass(ctx, tx, c, in)
	}
	code, ok := NormalizeCode(in.Code)
	if !ok {
		return ErrMalformedCode, nil
	}
	switch in.Method {
	case MethodTOTP:
		return s.checkTOTP(ctx, tx, c, in.Use, code)
	case MethodSMS, MethodEmail:
		return s.checkChallenge(ctx, tx, c, in, code)
	}
	return ErrMethodNotAllowed, nil
}

func (s *Service) checkTOTP(ctx context.Context, tx *data.Tx, c *data.Customer, use Use, code string) (refusal, err error) {
	factors, err := tx.ConfirmedFactors(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	f := factorFor(factors, data.FactorTOTP, use)
	if f == nil {
		return ErrMethodNotAllowed, nil
	}
	secret, err := s.Box.Open(f.SecretEnc, factorAAD(f.CustomerID, f.Kind))
	if err != nil {
		return nil, fmt.Errorf("open totp secret of factor %d: %w", f.ID, err)
	}
	step, ok := MatchTOTP(string(secret), code, tx.Now(), f.LastStep)
	if !ok {
		if _, used := MatchTOTP(string(secret), code, tx.Now(), -1); used {
			return ErrCodeReused, nil
		}
		return ErrWrongCode, nil
	}
	advanced, err := tx.AdvanceTOTPStep(ctx, f.ID, step)
	if err != nil {
		return nil, err
	}
	if !advanced {
		return ErrCodeReused, nil
	}
	return nil, nil
}

func (s *Service) checkChallenge(ctx context.Context, tx *data.Tx, c *data.Customer, in VerifyInput, code string) (refusal, err error) {
	ch, err := tx.OpenChallenge(ctx, in.SessionHash, in.Purpose)
	if errors.Is(err, data.ErrNotFound) {
		return ErrNoCode, nil
	}
	if err != nil {
		return nil, err
	}
	if ch.CustomerID != c.ID || (in.Method != "" && ch.Channel != string(in.Method)) {
		return ErrNoCode, nil
	}
	// A code that can no longer pass stays open on record (the customer
	// is told why), but its message is scrubbed now.
	if !tx.Now().Before(ch.ExpiresAt) {
		return ErrCodeExpired, tx.ScrubChallengeMessage(ctx, ch.ID)
	}
	if ch.Attempts >= s.Config.CodeMaxAttempts {
		return ErrTooManyTries, tx.ScrubChallengeMessage(ctx, ch.ID)
	}
	if !s.Codes.Check(ch.CodeHash, code) {
		if err := tx.CountAttempt(ctx, ch.ID); err != nil {
			return nil, err
		}
		if ch.Attempts+1 >= s.Config.CodeMaxAttempts {
			return ErrTooManyTries, tx.ScrubChallengeMessage(ctx, ch.ID)
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

// recordOutcome keeps the consecutive-failure count: a success clears it,
// a wrong code adds one, and reaching the threshold locks the second
// factor and tells the customer. It reports whether this failure locked.
func (s *Service) recordOutcome(ctx context.Context, tx *data.Tx, c *data.Customer, in VerifyInput, result error) (bool, error) {
	now := tx.Now()
	switch {
	case result == nil && in.Purpose == PurposeConsoleVerification:
		// Staff verifying identity is not a login: it neither clears the
		// customer's failures nor lifts a lock; unlocking is its own action.
		return false, tx.Audit(ctx, verifyEvent(c, in, "success"))
	case result == nil:
		if err := tx.SetMFAFailures(ctx, c.ID, 0, time.Time{}, time.Time{}); err != nil {
			return false, err
		}
		return false, tx.Audit(ctx, verifyEvent(c, in, "success"))
	case errors.Is(result, ErrWrongCode), errors.Is(result, ErrTooManyTries), errors.Is(result, ErrBadTradingPassword),
		errors.Is(result, ErrPasskeyInvalid), errors.Is(result, ErrPasskeyCloned):
	default:
		return false, tx.Audit(ctx, verifyEvent(c, in, "refused:"+reason(result)))
	}
	failures := c.MFAFailures
	lockEnded := c.MFALockedUntil.Unix() > 0 && !now.Before(c.MFALockedUntil)
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
	if err := tx.Audit(ctx, verifyEvent(c, in, "failure:"+strconv.Itoa(failures))); err != nil {
		return false, err
	}
	if lockedUntil.IsZero() {
		return false, nil
	}
	if err := notify.NotifyCustomer(ctx, tx, c, notify.MFALocked(lockedUntil)); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "mfa", CustomerID: c.ID,
		Action: "mfa.lock", Outcome: "locked", ClientIP: in.ClientIP,
		Detail: "until=" + lockedUntil.UTC().Format(time.RFC3339)})
}

func verifyEvent(c *data.Customer, in VerifyInput, outcome string) data.AuditEvent {
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
	case errors.Is(err, ErrCodeReused):
		return "reused"
	case errors.Is(err, ErrMalformedCode):
		return "malformed"
	case errors.Is(err, ErrWrongCode):
		return "wrong"
	case errors.Is(err, ErrTooManyTries):
		return "too_many_tries"
	case errors.Is(err, ErrBadTradingPassword):
		return "trading_password"
	case errors.Is(err, ErrPasskeyInvalid):
		return "passkey_invalid"
	case errors.Is(err, ErrPasskeyCloned):
		return "passkey_cloned"
	}
	return "other"
}

// factorAAD binds a sealed secret to its customer and kind, so a secret
// copied to another customer's row does not decrypt.
func factorAAD(customerID int64, kind string) []byte {
	return []byte("factor:" + strconv.FormatInt(customerID, 10) + ":" + kind)
}

// SealTOTPSecret encrypts a TOTP secret for storage in a factor of the customer.
func (s *Service) SealTOTPSecret(customerID int64, secret string) ([]byte, error) {
	return s.Box.Seal([]byte(secret), factorAAD(customerID, data.FactorTOTP))
}

// refuseDowngrade enforces the phishing-resistant phase on the server:
// where only a passkey may pass an operation, any other method is refused
// whatever the page offered (docs/security.md S42).
func (s *Service) refuseDowngrade(ctx context.Context, in VerifyInput) error {
	if !phishingResistantUse(in.Use) {
		return nil
	}
	f, err := s.loadFactors(ctx, in.Customer)
	if err != nil {
		return err
	}
	if !s.passkeyOnly(f, in.Use) {
		return nil
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, verifyEvent(in.Customer, in, "refused:passkey_required"))
	})
	if err != nil {
		return err
	}
	return ErrPasskeyRequired
}
