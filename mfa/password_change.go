package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"mfadesk/data"
	"mfadesk/notify"
)

// PasswordKind is which of the customer's two passwords.
type PasswordKind string

// The two knowledge factors (docs/design.md §2).
const (
	PasswordLogin   PasswordKind = "login"
	PasswordTrading PasswordKind = "trading"
)

// Refusals of a password change; a weak new password is a
// *PasswordPolicyError instead.
var (
	ErrWrongCurrentPassword = errors.New("current password is wrong")
	ErrPasswordThrottled    = errors.New("too many wrong current passwords")
	ErrSamePassword         = errors.New("new password equals the current one")
	ErrSameAsOtherPassword  = errors.New("new password equals the other password")
)

// PasswordChange is a logged-in customer's request to replace a password.
type PasswordChange struct {
	Customer    *data.Customer
	Kind        PasswordKind
	Current     string
	New         string
	SessionHash string // the session making the change; the only one that stays
	ClientIP    string
}

// ChangePassword checks the current password and replaces it with New. A
// wrong current password counts as a password failure, under the same
// limits as login, so a borrowed session cannot be used to guess it. On
// success the new hash, the audit event, the notice to the customer and
// the end of their other sessions commit together.
func (s *Service) ChangePassword(ctx context.Context, in PasswordChange) error {
	c := in.Customer
	if err := CheckNewPassword(in.New, c.LoginID); err != nil {
		return err
	}
	// The address is counted, not limited: the customer is logged in, and
	// the account's own limit is the one that stops guessing here.
	try := passwordTry{acctKey: passwordThrottleKey(in.Kind, c.ID)}
	switch err := s.reserve(ctx, try); {
	case errors.Is(err, errAccountThrottled):
		s.auditPasswordChange(ctx, in, "throttled")
		return ErrPasswordThrottled
	case err != nil:
		return err
	}

	currentHash, otherHash := c.PasswordHash, c.TradingPasswordHash
	if in.Kind == PasswordTrading {
		currentHash, otherHash = c.TradingPasswordHash, c.PasswordHash
	}
	ok, err := s.checkCustomerPassword(ctx, currentHash, in.Current)
	if err != nil {
		return s.unchecked(ctx, try, fmt.Errorf("check %s password of %d: %w", in.Kind, c.ID, err))
	}
	if !ok {
		since := s.DB.Now().Add(-s.Config.PasswordWindow)
		err := s.DB.InTx(ctx, func(tx *data.Tx) error {
			if err := tx.AddThrottleFailure(ctx, "pw-addr:"+in.ClientIP, since); err != nil {
				return err
			}
			return tx.Audit(ctx, passwordChangeEvent(in, "failure:wrong_current"))
		})
		if err != nil {
			return err
		}
		return ErrWrongCurrentPassword
	}
	// The current password was right, whatever is wrong with the new one.
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return try.succeeded(ctx, tx) }); err != nil {
		return err
	}

	if in.New == in.Current {
		return ErrSamePassword
	}
	// The two passwords guard different things (logging in, placing
	// orders), so one must not also be the other.
	same, err := s.checkCustomerPassword(ctx, otherHash, in.New)
	if err != nil {
		return fmt.Errorf("check other password of %d: %w", c.ID, err)
	}
	if same {
		return ErrSameAsOtherPassword
	}
	newHash, err := s.hashPassword(ctx, in.New)
	if err != nil {
		return err
	}

	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		replace := tx.SetLoginPasswordHash
		if in.Kind == PasswordTrading {
			replace = tx.SetTradingPasswordHash
		}
		if err := replace(ctx, c.ID, currentHash, newHash); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, c.ID, in.SessionHash); err != nil {
			return err
		}
		if err := tx.Audit(ctx, passwordChangeEvent(in, "success")); err != nil {
			return err
		}
		return notify.NotifyCustomer(ctx, tx, c, notify.PasswordChanged(string(in.Kind), tx.Now()))
	})
	if errors.Is(err, data.ErrConflict) {
		// Another request changed this password after it was read: the
		// password typed as current is no longer current.
		return ErrWrongCurrentPassword
	}
	return err
}

// passwordThrottleKey counts wrong login passwords under the key login
// uses (password_login.go), so the change form and the login form share
// one limit; the trading password has its own count.
func passwordThrottleKey(kind PasswordKind, customerID int64) string {
	id := strconv.FormatInt(customerID, 10)
	if kind == PasswordTrading {
		return "pw-trading:" + id
	}
	return "pw-acct:" + id
}

func (s *Service) auditPasswordChange(ctx context.Context, in PasswordChange, outcome string) {
	// A failed audit write must not turn a refusal into an acceptance; the
	// refusal stands either way.
	_ = s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, passwordChangeEvent(in, outcome)) })
}

func passwordChangeEvent(in PasswordChange, outcome string) data.AuditEvent {
	return data.AuditEvent{ActorKind: "customer", Actor: quoteForAudit(in.Customer.LoginID), CustomerID: in.Customer.ID,
		Action: "password.change", Outcome: outcome, ClientIP: in.ClientIP, Detail: "kind=" + string(in.Kind)}
}
