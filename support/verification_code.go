package support

import (
	"context"
	"errors"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// Spoken and postal verification: a code goes to something the customer
// controls (a verified phone or email, or the registered address by
// post), and the staff member types what the customer says. Wrong codes count against the
// customer's one second-factor lock, shared with login (docs/security.md S16).

// PostalCodeTTL is how long a mailed code stays valid: the post is slow.
const PostalCodeTTL = 14 * 24 * time.Hour

// SendSpokenCode sends a code to the customer's verified email or SMS
// number, as the staff member chose, for a customer without a smartphone
// to read back on the call they made. It is rated weak: a code spoken
// aloud is what a fraudster asks for too. The pending verification, the
// message in the outbox and the audit event commit together.
func (s *Service) SendSpokenCode(ctx context.Context, a CaseActor, channel string) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	c, to, err := s.verifiedDest(ctx, a, channel)
	if err != nil {
		return err
	}
	code, hash, err := s.MFA.NewHashedCode()
	if err != nil {
		return err
	}
	v := data.Verification{Method: data.VerifySpoken, Strength: data.StrengthWeak, CodeHash: hash, Detail: "channel=" + channel}
	return s.issueCode(ctx, a, v, s.Config.CodeTTL,
		func(tx *data.Tx, expires time.Time) (int64, error) {
			return notify.QueueCode(ctx, tx, a.Case.ID, c.ID, channel, to, notify.SpokenCode(channel, code, s.Config.CodeTTL).In(c.Lang), expires)
		})
}

// verifiedDest is the customer's verified address on channel.
func (s *Service) verifiedDest(ctx context.Context, a CaseActor, channel string) (*data.Customer, string, error) {
	c, err := s.DB.CustomerByID(ctx, a.Case.CustomerID)
	if err != nil {
		return nil, "", err
	}
	switch {
	case channel == notify.Email && c.HasValidEmail():
		return c, c.Email, nil
	case channel == notify.SMS && c.PhoneVerified && c.Phone != "":
		return c, c.Phone, nil
	}
	return nil, "", ErrNoVerifiedDest
}

// SendPostalCode queues a letter with a code to the customer's postal
// address (ErrNoAddress when none is on record). The code is sealed in
// the letter's row until the letter is printed (postal_queue.go).
func (s *Service) SendPostalCode(ctx context.Context, a CaseActor) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	if _, err := s.DB.CustomerAddress(ctx, a.Case.CustomerID); errors.Is(err, data.ErrNotFound) {
		return s.refuse(ctx, a, "case.verify.postal.send", "no_address", ErrNoAddress)
	} else if err != nil {
		return err
	}
	code, hash, err := s.MFA.NewHashedCode()
	if err != nil {
		return err
	}
	v := data.Verification{Method: data.VerifyPostal, Strength: data.StrengthStrong, CodeHash: hash, Detail: "channel=post"}
	return s.issueCode(ctx, a, v, PostalCodeTTL,
		func(tx *data.Tx, expires time.Time) (int64, error) {
			return s.queueLetter(ctx, tx, a, code, expires)
		})
}

// issueCode creates v as a pending verification for a new secret (v holds
// its hash), voiding the case's previous one of v.Method, and has deliver
// send it inside the same transaction; deliver returns the id of what
// carries it: the message, if it went to the outbox, or the letter of a
// postal code. Sends are spaced by the resend cool-down.
func (s *Service) issueCode(ctx context.Context, a CaseActor, v data.Verification, ttl time.Duration,
	deliver func(tx *data.Tx, expires time.Time) (int64, error)) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		now := tx.Now()
		prev, err := tx.PendingVerification(ctx, a.Case.ID, v.Method)
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if prev != nil {
			if wait := prev.CreatedAt.Add(s.Config.ResendCooldown).Sub(now); wait > 0 {
				return &mfa.SendWait{Wait: wait}
			}
		}
		carrier, err := deliver(tx, now.Add(ttl))
		if err != nil {
			return err
		}
		v.CaseID, v.CustomerID, v.StaffID = a.Case.ID, a.Case.CustomerID, a.Staff.ID
		v.Status, v.ExpiresAt = data.VerificationPending, now.Add(ttl)
		if v.Method == data.VerifyPostal {
			v.LetterID = carrier
		} else {
			v.OutboxID = carrier
		}
		if _, err := tx.CreateVerification(ctx, &v); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("case.verify."+v.Method+".send", "queued", v.Detail))
	})
}

// CheckSpokenCode checks the code the customer read back for the case's
// pending spoken verification. It goes through the same attempt as every
// other second factor, so the outcome, the customer's shared failure
// count and the audit events commit together. A letter's code is never
// checked here: the customer types it at /verify/post (ConfirmPostalCode),
// as the letter says nobody from the firm will ask for it.
func (s *Service) CheckSpokenCode(ctx context.Context, a CaseActor, rawCode string) error {
	const method = data.VerifySpoken
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	code, ok := mfa.NormalizeCode(rawCode)
	if !ok {
		return mfa.ErrMalformedCode
	}
	c := &data.Customer{ID: a.Case.CustomerID}
	in := mfa.VerifyInput{Customer: c, Purpose: mfa.PurposeConsoleVerification, Method: mfa.Method(method), ClientIP: a.ClientIP}
	return s.MFA.Attempt(ctx, in, func(tx *data.Tx, _ *data.Customer) (result, err error) {
		v, err := tx.PendingVerification(ctx, a.Case.ID, method)
		if errors.Is(err, data.ErrNotFound) {
			return mfa.ErrNoCode, tx.Audit(ctx, a.event("case.verify."+method, "refused:no_code", ""))
		}
		if err != nil {
			return nil, err
		}
		result, err = s.matchVerificationCode(ctx, tx, v, code)
		if err != nil {
			return nil, err
		}
		return result, tx.Audit(ctx, a.event("case.verify."+method, outcomeOf(result), v.Detail))
	}, nil)
}

func (s *Service) matchVerificationCode(ctx context.Context, tx *data.Tx, v *data.Verification, code string) (result, err error) {
	if !tx.Now().Before(v.ExpiresAt) {
		_, err := tx.FinishVerification(ctx, v.ID, false, time.Time{})
		return mfa.ErrCodeExpired, err
	}
	if !s.Codes.Check(v.CodeHash, code) {
		if err := tx.CountVerificationAttempt(ctx, v.ID); err != nil {
			return nil, err
		}
		if v.Attempts+1 < s.Config.CodeMaxAttempts {
			return mfa.ErrWrongCode, nil
		}
		_, err := tx.FinishVerification(ctx, v.ID, false, time.Time{})
		return mfa.ErrTooManyTries, err
	}
	won, err := tx.FinishVerification(ctx, v.ID, true, tx.Now().Add(VerificationValidity))
	if err != nil || !won {
		return mfa.ErrWrongCode, err
	}
	return nil, nil
}

func outcomeOf(result error) string {
	switch {
	case result == nil:
		return "passed"
	case errors.Is(result, mfa.ErrLocked):
		return "locked"
	case errors.Is(result, mfa.ErrWrongCode), errors.Is(result, mfa.ErrTooManyTries):
		return "failure"
	}
	return "refused:" + mfa.Reason(result)
}
