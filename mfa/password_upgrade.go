package mfa

import (
	"context"
	"errors"
	"strings"

	"mfadesk/data"
)

// A customer's password hash may have been imported in another scheme
// (imported_hash.go, docs/security.md S72). Every check of a customer's
// password, login or trading, accepts those schemes; staff passwords are
// always ours. The login password's hash becomes our argon2id at the
// first right login password: the password is then in hand, and a
// stronger hash of the same password changes nothing for the customer,
// so no notice is sent.

// checkCustomerPassword is checkPassword for a customer's hash, of any
// scheme ParseImportedHash stores, through the same hashing limit.
func (s *Service) checkCustomerPassword(ctx context.Context, stored, password string) (bool, error) {
	ok, _, err := s.customerCheck(ctx, stored, password, false)
	return ok, err
}

// checkAndUpgrade is checkCustomerPassword that, when the password is
// right and the hash not argon2id, also hashes the password with our
// argon2id in the same slot (no second wait in the queue) and returns it
// as newHash for the caller to store with the success.
func (s *Service) checkAndUpgrade(ctx context.Context, stored, password string) (ok bool, newHash string, err error) {
	return s.customerCheck(ctx, stored, password, true)
}

func (s *Service) customerCheck(ctx context.Context, stored, password string, upgrade bool) (ok bool, newHash string, err error) {
	// Only a check at the configured cost is timed for the queue's size.
	timed := strings.HasPrefix(stored, phcPrefix(s.Config.Argon2))
	lerr := s.hashLimiter().run(ctx, timed, func() {
		ok, err = checkStoredPassword(stored, password)
		if err == nil && ok && upgrade && hashScheme(stored) != schemeArgon2id {
			newHash, err = HashPassword(password, s.Config.Argon2)
		}
	})
	if lerr != nil {
		return false, "", lerr
	}
	if err != nil {
		return false, "", err
	}
	return ok, newHash, nil
}

// upgradeLoginPassword replaces c's imported login password hash by
// newHash within the transaction recording the right password, audited
// (password.upgrade) with the old scheme's name and never a hash. A hash
// that changed since it was read (a reset meanwhile) is newer and stays.
func upgradeLoginPassword(ctx context.Context, tx *data.Tx, c *data.Customer, newHash string, event data.AuditEvent) error {
	scheme := hashScheme(c.PasswordHash)
	err := tx.SetLoginPasswordHash(ctx, c.ID, c.PasswordHash, newHash)
	if errors.Is(err, data.ErrConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	event.Action, event.Outcome = "password.upgrade", "success"
	event.Detail = "kind=login scheme=" + scheme
	return tx.Audit(ctx, event)
}
