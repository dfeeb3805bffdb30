package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"mfadesk/data"
)

// CheckLoginPassword is the first step of login. Unknown login IDs, wrong
// passwords and throttled accounts all return ErrBadCredentials: an
// unknown ID is counted and limited under its spelling exactly as a known
// one is under its account, and below the limit it costs the same
// argon2id work, so neither the answer nor its time tells whether the
// account exists. deviceHash is the hash of the browser's device cookie
// ("" if none): a browser that completed a login to this account before
// is not subject to the per-address limit for it (docs/operations.md).
func (s *Service) CheckLoginPassword(ctx context.Context, rawLoginID, password, clientIP, deviceHash string) (*data.Customer, error) {
	loginID := NormalizeLoginID(rawLoginID)
	customer, err := s.DB.CustomerByLoginID(ctx, loginID)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return nil, err
	}
	// Failures of an unknown ID are counted under the ID, of a known one
	// under the account, so every spelling of an account shares one count.
	try := passwordTry{acctKey: "pw-login:" + loginID, addrKey: "pw-addr:" + clientIP}
	var customerID int64
	if customer != nil {
		customerID = customer.ID
		try.acctKey = "pw-acct:" + strconv.FormatInt(customer.ID, 10)
		known, err := s.knownDevice(ctx, customer.ID, deviceHash)
		if err != nil {
			return nil, err
		}
		if known {
			try.addrKey = ""
		}
	}
	switch err := s.reserve(ctx, try); {
	case errors.Is(err, ErrAddressThrottled):
		s.auditLogin(ctx, 0, rawLoginID, clientIP, "address_throttled")
		s.observePassword("address_throttled")
		return nil, ErrAddressThrottled
	case errors.Is(err, errAccountThrottled):
		s.auditLogin(ctx, customerID, rawLoginID, clientIP, "account_throttled")
		s.observePassword("failure")
		return nil, ErrBadCredentials
	case err != nil:
		return nil, err
	}

	ok := false
	if customer == nil {
		err = s.dummyCheckPassword(ctx, password)
	} else {
		ok, err = s.checkPassword(ctx, customer.PasswordHash, password)
	}
	if errors.Is(err, ErrBusy) {
		// Not a failure: the password was not looked at. Not audited
		// either, so an overload does not also flood the audit trail.
		s.observePassword("busy")
		return nil, s.unchecked(ctx, try, ErrBusy)
	}
	if err != nil {
		return nil, s.unchecked(ctx, try, fmt.Errorf("check password of %d: %w", customerID, err))
	}

	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if ok {
			if err := try.succeeded(ctx, tx); err != nil {
				return err
			}
			return tx.Audit(ctx, loginEvent(customerID, loginID, clientIP, "login.password", "success"))
		}
		return tx.Audit(ctx, loginEvent(customerID, loginID, clientIP, "login.password", "failure"))
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

// knownDevice reports whether the browser with this device cookie hash
// completed a login to the customer's account before.
func (s *Service) knownDevice(ctx context.Context, customerID int64, deviceHash string) (bool, error) {
	if deviceHash == "" {
		return false, nil
	}
	return s.DB.KnownDevice(ctx, customerID, deviceHash)
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
