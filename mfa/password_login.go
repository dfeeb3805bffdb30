package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"mfadesk/data"
)

// CheckLoginPassword is the first step of login. Unknown login IDs, wrong
// passwords and throttled accounts all return ErrBadCredentials after the
// same argon2id work, so the answer does not tell them apart.
func (s *Service) CheckLoginPassword(ctx context.Context, rawLoginID, password, clientIP string) (*data.Customer, error) {
	now := s.DB.Now()
	since := now.Add(-s.Config.PasswordWindow)
	addrKey := "pw-addr:" + clientIP
	addrFailures, err := s.DB.ThrottleFailures(ctx, addrKey, since)
	if err != nil {
		return nil, err
	}
	if addrFailures >= s.Config.PasswordFailuresPerAddress {
		s.auditLogin(ctx, 0, rawLoginID, clientIP, "address_throttled")
		s.observePassword("address_throttled")
		return nil, ErrAddressThrottled
	}

	loginID := NormalizeLoginID(rawLoginID)
	customer, err := s.DB.CustomerByLoginID(ctx, loginID)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return nil, err
	}
	// Failures of an unknown ID are counted under the ID, of a known one
	// under the account, so every spelling of an account shares one count.
	acctKey := "pw-login:" + loginID
	var customerID int64
	if customer != nil {
		customerID = customer.ID
		acctKey = "pw-acct:" + strconv.FormatInt(customer.ID, 10)
	}
	acctFailures, err := s.DB.ThrottleFailures(ctx, acctKey, since)
	if err != nil {
		return nil, err
	}

	ok := false
	switch {
	case customer == nil || acctFailures >= s.Config.PasswordFailuresPerAccount:
		err = s.dummyCheckPassword(ctx, password)
	default:
		ok, err = s.checkPassword(ctx, customer.PasswordHash, password)
	}
	if errors.Is(err, ErrBusy) {
		// Not a failure: the password was not looked at. Not audited
		// either, so an overload does not also flood the audit trail.
		s.observePassword("busy")
		return nil, ErrBusy
	}
	if err != nil {
		return nil, fmt.Errorf("check password of %d: %w", customerID, err)
	}

	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if ok {
			if err := tx.ClearThrottle(ctx, acctKey); err != nil {
				return err
			}
			return tx.Audit(ctx, loginEvent(customerID, loginID, clientIP, "login.password", "success"))
		}
		if err := tx.AddThrottleFailure(ctx, acctKey, since); err != nil {
			return err
		}
		if err := tx.AddThrottleFailure(ctx, addrKey, since); err != nil {
			return err
		}
		outcome := "failure"
		if acctFailures >= s.Config.PasswordFailuresPerAccount {
			outcome = "account_throttled"
		}
		return tx.Audit(ctx, loginEvent(customerID, loginID, clientIP, "login.password", outcome))
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		s.observePassword("failure")
		return nil, ErrBadCredentials
	}
	s.observePassword("success")
	return customer, nil
}

func (s *Service) auditLogin(ctx context.Context, customerID int64, loginID, clientIP, outcome string) {
	// A failed audit write must not turn a refusal into an acceptance; the
	// refusal stands either way.
	_ = s.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, loginEvent(customerID, NormalizeLoginID(loginID), clientIP, "login.password", outcome))
	})
}

func loginEvent(customerID int64, loginID, clientIP, action, outcome string) data.AuditEvent {
	return data.AuditEvent{
		ActorKind: "customer", Actor: quoteForAudit(loginID), CustomerID: customerID,
		Action: action, Outcome: outcome, ClientIP: clientIP,
	}
}

// quoteForAudit escapes control characters and bounds the length of input
// a customer typed before it goes into the audit trail.
func quoteForAudit(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
