package mfa

import (
	"context"
	"errors"
	"fmt"

	"mfadesk/data"
	"mfadesk/notify"
)

// Issuer is the name authenticator apps show beside the code.
const Issuer = "mfadesk証券"

// EnrolInput confirms a new factor: the code it produced and the trading
// password (docs/design.md §2), plus the services it will be used for.
type EnrolInput struct {
	Customer        *data.Customer
	SessionHash     string
	Code            string
	TradingPassword string
	Uses            data.Uses
	ClientIP        string
}

// StartTOTPEnrolment makes a new secret for the customer's authenticator
// app, replacing any unconfirmed one, so only the newest QR code counts.
func (s *Service) StartTOTPEnrolment(ctx context.Context, c *data.Customer) error {
	secret, err := NewTOTPSecret()
	if err != nil {
		return err
	}
	sealed, err := s.SealTOTPSecret(c.ID, secret)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.DeletePendingFactors(ctx, c.ID, data.FactorTOTP); err != nil {
			return err
		}
		_, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: c.ID, Kind: data.FactorTOTP, SecretEnc: sealed, LastStep: -1})
		return err
	})
}

// PendingTOTP returns the otpauth:// URI and the key of the enrolment in
// progress, for the QR code and for typing by hand.
func (s *Service) PendingTOTP(ctx context.Context, c *data.Customer) (uri, secret string, err error) {
	f, err := s.DB.PendingFactor(ctx, c.ID, data.FactorTOTP)
	if err != nil {
		return "", "", err
	}
	plain, err := s.Box.Open(f.SecretEnc, factorAAD(c.ID, data.FactorTOTP))
	if err != nil {
		return "", "", fmt.Errorf("open pending secret: %w", err)
	}
	return TOTPURI(Issuer, c.LoginID, string(plain)), string(plain), nil
}

// ConfirmTOTP activates the pending authenticator app. The confirming
// code's step becomes the last accepted one, so that code cannot then log
// in (docs/security.md S2). An app already enrolled is replaced in the same
// transaction: the new one works before the old one goes.
func (s *Service) ConfirmTOTP(ctx context.Context, in EnrolInput) error {
	tradingOK, err := s.checkCustomerPassword(ctx, in.Customer.TradingPasswordHash, in.TradingPassword)
	if err != nil {
		return err
	}
	code, ok := NormalizeCode(in.Code)
	if !ok {
		return ErrMalformedCode
	}
	var pending *data.Factor
	var step int64
	check := func(tx *data.Tx, c *data.Customer) (refusal, err error) {
		if !tradingOK {
			return ErrBadTradingPassword, nil
		}
		if pending, err = tx.PendingFactor(ctx, c.ID, data.FactorTOTP); errors.Is(err, data.ErrNotFound) {
			return ErrNoCode, nil
		} else if err != nil {
			return nil, err
		}
		secret, err := s.Box.Open(pending.SecretEnc, factorAAD(c.ID, data.FactorTOTP))
		if err != nil {
			return nil, fmt.Errorf("open pending secret: %w", err)
		}
		var matched bool
		if step, matched = MatchTOTP(string(secret), code, tx.Now(), -1); !matched {
			return ErrWrongCode, nil
		}
		return nil, nil
	}
	activate := func(tx *data.Tx, c *data.Customer) error {
		if err := tx.ConfirmFactor(ctx, pending.ID, in.Uses, step); err != nil {
			return err
		}
		return s.finishEnrolment(ctx, tx, c, in, pending.ID, data.FactorTOTP)
	}
	return s.attempt(ctx, s.enrolAttempt(in, MethodTOTP), check, activate)
}

// ConfirmSMS enrols the mobile number a code was just sent to, once the
// customer typed that code and the trading password.
func (s *Service) ConfirmSMS(ctx context.Context, in EnrolInput) error {
	tradingOK, err := s.checkCustomerPassword(ctx, in.Customer.TradingPasswordHash, in.TradingPassword)
	if err != nil {
		return err
	}
	code, ok := NormalizeCode(in.Code)
	if !ok {
		return ErrMalformedCode
	}
	attempt := s.enrolAttempt(in, MethodSMS)
	var phone string
	check := func(tx *data.Tx, c *data.Customer) (refusal, err error) {
		if !tradingOK {
			return ErrBadTradingPassword, nil
		}
		ch, err := tx.OpenChallenge(ctx, in.SessionHash, PurposeEnrolSMS)
		if err == nil {
			phone = ch.Destination
		}
		return s.checkChallenge(ctx, tx, c, attempt, code)
	}
	activate := func(tx *data.Tx, c *data.Customer) error {
		id, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: c.ID, Kind: data.FactorSMS, Phone: phone,
			UseLogin: in.Uses.Login, UseAccount: in.Uses.Account, UseWithdrawal: in.Uses.Withdrawal,
			LastStep: -1, ConfirmedAt: tx.Now()})
		if err != nil {
			return err
		}
		return s.finishEnrolment(ctx, tx, c, in, id, data.FactorSMS)
	}
	return s.attempt(ctx, attempt, check, activate)
}

func (s *Service) enrolAttempt(in EnrolInput, m Method) VerifyInput {
	return VerifyInput{Customer: in.Customer, SessionHash: in.SessionHash, Purpose: "enrol_" + string(m),
		Use: UseAny, Method: m, ClientIP: in.ClientIP}
}

// finishEnrolment removes the factor the new one replaces, tells the
// customer, audits, and ends the customer's other sessions. It is also
// what lifts a temporary pass's confinement to enrolment: the new factor
// was made after the pass was used.
func (s *Service) finishEnrolment(ctx context.Context, tx *data.Tx, c *data.Customer, in EnrolInput, keepID int64, kind string) error {
	replaced, err := tx.DeleteFactors(ctx, c.ID, kind, keepID)
	if err != nil {
		return err
	}
	if err := tx.MarkTempPassEnrolled(ctx, c.ID); err != nil {
		return err
	}
	action, msg := "factor.add", notify.FactorAdded(kind, tx.Now())
	if replaced > 0 {
		action, msg = "factor.replace", notify.FactorReplaced(kind, tx.Now())
	}
	if err := notify.NotifyCustomer(ctx, tx, c, msg); err != nil {
		return err
	}
	if err := tx.DeleteOtherSessions(ctx, c.ID, in.SessionHash); err != nil {
		return err
	}
	return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID, Action: action,
		Outcome: "success", ClientIP: in.ClientIP, Detail: fmt.Sprintf("kind=%s login=%t account=%t withdrawal=%t",
			kind, in.Uses.Login, in.Uses.Account, in.Uses.Withdrawal)})
}

// RemoveFactors removes the customer's factors of a kind (device change,
// lost phone). The handler only calls it after a fresh step-up.
func (s *Service) RemoveFactors(ctx context.Context, c *data.Customer, kind, sessionHash, clientIP string) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		n, err := tx.DeleteFactors(ctx, c.ID, kind, 0)
		if err != nil || n == 0 {
			return err
		}
		if err := notify.NotifyCustomer(ctx, tx, c, notify.FactorRemoved(kind, tx.Now())); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, c.ID, sessionHash); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
			Action: "factor.remove", Outcome: "success", ClientIP: clientIP, Detail: "kind=" + kind})
	})
}

// SetFactorUses saves the 「利用する」 choices of each factor.
func (s *Service) SetFactorUses(ctx context.Context, c *data.Customer, uses, passkeyUses map[int64]data.Uses, clientIP string) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		for id, u := range passkeyUses {
			if err := tx.SetPasskeyUses(ctx, c.ID, id, u); err != nil {
				return err
			}
			if err := tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
				Action: "factor.uses", Outcome: "success", ClientIP: clientIP,
				Detail: fmt.Sprintf("passkey=%d login=%t account=%t withdrawal=%t", id, u.Login, u.Account, u.Withdrawal)}); err != nil {
				return err
			}
		}
		for id, u := range uses {
			if err := tx.SetFactorUses(ctx, c.ID, id, u); err != nil {
				return err
			}
			if err := tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
				Action: "factor.uses", Outcome: "success", ClientIP: clientIP,
				Detail: fmt.Sprintf("factor=%d login=%t account=%t withdrawal=%t", id, u.Login, u.Account, u.Withdrawal)}); err != nil {
				return err
			}
		}
		return notify.NotifyCustomer(ctx, tx, c, notify.MFASettingsChanged(tx.Now()))
	})
}
