package mfa

import (
	"context"
	"fmt"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

// Purposes a code can be bound to; a code sent for one never passes another.
const (
	PurposeLogin       = "login"
	PurposeEnrolSMS    = "enrol_sms"
	PurposeEmailChange = "contact_email"
	PurposePhoneChange = "contact_phone"
)

// StepUpPurpose is the purpose of a step-up code for an operation.
func StepUpPurpose(op string) string { return "stepup:" + op }

// SendWait is returned with ErrResendTooSoon: how long until a resend.
type SendWait struct{ Wait time.Duration }

func (e *SendWait) Error() string { return fmt.Sprintf("resend possible in %s", e.Wait) }
func (e *SendWait) Unwrap() error { return ErrResendTooSoon }

// Destination returns where a code for method goes when passing a factor
// used for use: the email address, or the number of the SMS factor.
func (s *Service) Destination(ctx context.Context, c *data.Customer, m Method, use Use) (string, error) {
	switch m {
	case MethodEmail:
		if !c.HasValidEmail() {
			return "", ErrMethodNotAllowed
		}
		return c.Email, nil
	case MethodSMS:
		factors, err := s.DB.ConfirmedFactors(ctx, c.ID)
		if err != nil {
			return "", err
		}
		if f := factorFor(factors, data.FactorSMS, use); f != nil {
			return f.Phone, nil
		}
	}
	return "", ErrMethodNotAllowed
}

// codeRequest is one code to send.
type codeRequest struct {
	customer    *data.Customer
	sessionHash string
	purpose     string
	channel     string
	to          string
	message     func(code string) notify.Message
}

// SendLoginCode sends the login code by SMS or email.
func (s *Service) SendLoginCode(ctx context.Context, c *data.Customer, sessionHash string, m Method) error {
	return s.sendFactorCode(ctx, c, sessionHash, PurposeLogin, m, UseLogin, func(code string) notify.Message {
		return notify.LoginCode(string(m), code, s.Config.CodeTTL)
	})
}

// SendStepUpCode sends a code to pass a step-up for op with a factor used for use.
func (s *Service) SendStepUpCode(ctx context.Context, c *data.Customer, sessionHash, op string, m Method, use Use) error {
	return s.sendFactorCode(ctx, c, sessionHash, StepUpPurpose(op), m, use, func(code string) notify.Message {
		return notify.StepUpCode(code, s.Config.CodeTTL, string(m))
	})
}

func (s *Service) sendFactorCode(ctx context.Context, c *data.Customer, sessionHash, purpose string, m Method, use Use, msg func(string) notify.Message) error {
	if m != MethodSMS && m != MethodEmail {
		return ErrMethodNotAllowed
	}
	to, err := s.Destination(ctx, c, m, use)
	if err != nil {
		return err
	}
	return s.sendCode(ctx, codeRequest{customer: c, sessionHash: sessionHash, purpose: purpose, channel: string(m), to: to, message: msg})
}

// SendContactCode sends a code to a new email address or mobile number,
// to prove the customer receives there before it is used (enrolment of an
// SMS factor, change of email or phone).
func (s *Service) SendContactCode(ctx context.Context, c *data.Customer, sessionHash, purpose, channel, to string) error {
	return s.sendCode(ctx, codeRequest{customer: c, sessionHash: sessionHash, purpose: purpose, channel: channel, to: to,
		message: func(code string) notify.Message { return notify.ContactCode(code, s.Config.CodeTTL, channel) }})
}

// sendCode issues a new code, voiding the previous one of the session and
// purpose, and queues the message in the same transaction. Sending is
// throttled per account (cool-down and hourly cap) and never counts
// toward the lock.
func (s *Service) sendCode(ctx context.Context, r codeRequest) error {
	if r.to == "" {
		return ErrMethodNotAllowed
	}
	code, hash, err := s.newHashedCode()
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		now := tx.Now()
		count, newest, err := tx.ChallengeSends(ctx, r.customer.ID, r.sessionHash, r.purpose, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if wait := newest.Add(s.Config.ResendCooldown).Sub(now); !newest.IsZero() && wait > 0 {
			return &SendWait{Wait: wait}
		}
		if count >= s.Config.SendsPerHour {
			return ErrSendLimit
		}
		expires := now.Add(s.Config.CodeTTL)
		outboxID, err := notify.QueueCode(ctx, tx, 0, r.customer.ID, r.channel, r.to, r.message(code).In(r.customer.Lang), expires)
		if err != nil {
			return err
		}
		if _, err := tx.CreateChallenge(ctx, &data.Challenge{
			CustomerID: r.customer.ID, SessionHash: r.sessionHash, Purpose: r.purpose, Channel: r.channel,
			Destination: r.to, CodeHash: hash, ExpiresAt: expires, OutboxID: outboxID,
		}); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: r.customer.LoginID, CustomerID: r.customer.ID,
			Action: "code.send", Outcome: "queued", Detail: "purpose=" + r.purpose + " channel=" + r.channel})
	})
}

// newHashedCode makes a one-time code and the keyed hash that is stored
// in its place.
func (s *Service) newHashedCode() (code, hash string, err error) {
	if code, err = NewCode(); err != nil {
		return "", "", err
	}
	if hash, err = s.Codes.Hash(code); err != nil {
		return "", "", err
	}
	return code, hash, nil
}
