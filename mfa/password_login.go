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
	hash := "" // an unknown ID is checked against a dummy
	var upgrade func(context.Context, *data.Tx, string) error
	if customer != nil {
		customerID, hash = customer.ID, customer.PasswordHash
		upgrade = func(ctx context.Context, tx *data.Tx, newHash string) error {
			return upgradeLoginPassword(ctx, tx, customer, newHash, loginEvent(customer.ID, loginID, clientIP, "", ""))
		}
		try.acctKey = "pw-acct:" + strconv.FormatInt(customer.ID, 10)
		known, err := s.knownDevice(ctx, customer.ID, deviceHash)
		if err != nil {
			return nil, err
		}
		if known {
			try.addrKey = ""
		}
	}
	err = s.loginPassword(ctx, passwordAttempt{try: try, hash: hash, password: password, observe: true,
		upgrade: upgrade, who: fmt.Sprint(customerID), event: func(outcome string) data.AuditEvent {
			id := customerID
			if outcome == "address_throttled" {
				id = 0 // refused before the account was looked at
			}
			return loginEvent(id, loginID, clientIP, "login.password", outcome)
		}})
	if err != nil {
		return nil, err
	}
	return customer, nil
}

// passwordAttempt is one password check at a login form, a customer's or a
// staff member's.
type passwordAttempt struct {
	try      passwordTry
	hash     string // "" for an unknown or inactive account: a dummy check of the same cost
	password string
	who      string                               // names the account in errors
	event    func(outcome string) data.AuditEvent // the audit event of each outcome
	observe  bool                                 // counted in the password metrics
	// upgrade stores our argon2id of a right password whose hash was
	// imported in another scheme, in the success's transaction. Only a
	// customer's hash may be imported: nil means argon2id alone passes.
	upgrade func(ctx context.Context, tx *data.Tx, newHash string) error
}

// loginPassword is the rule both login forms share: reserve a try (per
// account and per address), check the password (or a dummy), then record
// the outcome with its audit event, clearing the account's count on a
// success. A throttled try returns ErrAddressThrottled or, like a wrong
// password, ErrBadCredentials; an overload (ErrBusy) gives the try back
// and is not audited, so it does not also flood the audit trail.
func (s *Service) loginPassword(ctx context.Context, lp passwordAttempt) error {
	observe := func(outcome string) {
		if lp.observe {
			s.observePassword(outcome)
		}
	}
	audit := func(outcome string) {
		// The refusal stands whether or not its audit event could be written.
		_ = s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, lp.event(outcome)) })
	}
	switch err := s.reserve(ctx, lp.try); {
	case errors.Is(err, ErrAddressThrottled):
		audit("address_throttled")
		observe("address_throttled")
		return ErrAddressThrottled
	case errors.Is(err, errAccountThrottled):
		audit("account_throttled")
		observe("failure")
		return ErrBadCredentials
	case err != nil:
		return err
	}
	var ok bool
	var newHash string
	var err error
	switch {
	case lp.hash == "":
		err = s.dummyCheckPassword(ctx, lp.password)
	case lp.upgrade != nil:
		ok, newHash, err = s.checkAndUpgrade(ctx, lp.hash, lp.password)
	default:
		ok, err = s.checkPassword(ctx, lp.hash, lp.password)
	}
	if err != nil {
		if errors.Is(err, ErrBusy) {
			observe("busy")
		}
		// Wrapped, so ErrBusy stays recognisable to the handler.
		return s.unchecked(ctx, lp.try, fmt.Errorf("check password of %s: %w", lp.who, err))
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if !ok {
			return tx.Audit(ctx, lp.event("failure"))
		}
		if err := lp.try.succeeded(ctx, tx); err != nil {
			return err
		}
		if err := tx.Audit(ctx, lp.event("success")); err != nil {
			return err
		}
		if newHash == "" {
			return nil
		}
		return lp.upgrade(ctx, tx, newHash)
	})
	if err != nil {
		return err
	}
	if !ok {
		observe("failure")
		return ErrBadCredentials
	}
	observe("success")
	return nil
}

// knownDevice reports whether the browser with this device cookie hash
// completed a login to the customer's account before.
func (s *Service) knownDevice(ctx context.Context, customerID int64, deviceHash string) (bool, error) {
	if deviceHash == "" {
		return false, nil
	}
	return s.DB.KnownDevice(ctx, customerID, deviceHash)
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
