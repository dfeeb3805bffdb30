package mfa

import (
	"context"
	"errors"

	"mfadesk/data"
)

// Password tries are limited per client address and per account within
// Config.PasswordWindow. A try takes its place under both limits before
// any argon2id work, in one conditional statement each
// (data.ReserveThrottle), so a burst of parallel tries hashes at most the
// limit between them; a try past a limit hashes nothing. A failed try
// keeps its places as its failures, a right password clears the
// account's count and gives the address's place back, and a try whose
// password was never looked at (the server was busy) gives both back.

// errAccountThrottled is a try refused by the per-account limit. Callers
// answer it like a wrong password, so it never tells an account exists.
var errAccountThrottled = errors.New("too many password failures for this account")

// passwordTry names the counts one password try is limited by.
type passwordTry struct {
	acctKey string
	addrKey string // "" when the try is not subject to the per-address limit
}

// reserve takes the try's places, the address's first, so a throttled
// address costs an account nothing. It returns ErrAddressThrottled when
// the address has no place left and errAccountThrottled when the account
// has none; then the address's place is kept, as the refused try counts
// as a failure from that address.
func (s *Service) reserve(ctx context.Context, t passwordTry) error {
	since := s.DB.Now().Add(-s.Config.PasswordWindow)
	if t.addrKey != "" {
		ok, err := s.DB.ReserveThrottle(ctx, t.addrKey, s.Config.PasswordFailuresPerAddress, since)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAddressThrottled
		}
	}
	ok, err := s.DB.ReserveThrottle(ctx, t.acctKey, s.Config.PasswordFailuresPerAccount, since)
	if err != nil {
		return err
	}
	if !ok {
		return errAccountThrottled
	}
	return nil
}

// succeeded settles a try whose password was right, within the
// transaction that records the success.
func (t passwordTry) succeeded(ctx context.Context, tx *data.Tx) error {
	if err := tx.ClearThrottle(ctx, t.acctKey); err != nil {
		return err
	}
	if t.addrKey == "" {
		return nil
	}
	return tx.RefundThrottle(ctx, t.addrKey)
}

// unchecked gives back the places of a try whose password was not looked
// at, so an overload does not count as anyone's failure. It returns
// cause, or the error of giving back.
func (s *Service) unchecked(ctx context.Context, t passwordTry, cause error) error {
	ctx = context.WithoutCancel(ctx) // a request that went away still gives back
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.RefundThrottle(ctx, t.acctKey); err != nil {
			return err
		}
		if t.addrKey == "" {
			return nil
		}
		return tx.RefundThrottle(ctx, t.addrKey)
	})
	if err != nil {
		return errors.Join(cause, err)
	}
	return cause
}
