package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"mfadesk/data"
)

// ErrWrongSecretKey refuses a start whose keys do not open the
// database's secrets: served anyway, every TOTP login would answer 500 and
// every keyed code would be refused.
var ErrWrongSecretKey = errors.New("the secret key does not open this database's secrets; was it rotated? " +
	"Start with the current --secret-key and list the previous ones in --old-secret-keys (docs/operations.md)")

// keyCheckPlain is what the key check seals; only opening it matters.
const keyCheckPlain = "mfadesk key check"

var keyCheckAAD = []byte("key-check")

// CheckSecretKey makes sure the configured keys open this database's
// secrets, writing the key check on the first start that has none. It
// returns the id of the key the secrets are under: the current key's, or
// an old key's when the database has not been rekeyed yet.
func (s *Service) CheckSecretKey(ctx context.Context) (string, error) {
	var id string
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		id, err = ensureKeyCheck(ctx, tx, s.Box)
		return err
	})
	return id, err
}

// ensureKeyCheck opens the key check with box and returns the id of the
// key that opened it. Without one (a new database, or the first start
// after the upgrade that added it), a sealed secret tells which key the
// database is on: the key check is written under that key, and the keyed
// hashes made before hashes named their key are given its id.
func ensureKeyCheck(ctx context.Context, tx *data.Tx, box *SecretBox) (string, error) {
	kc, err := tx.KeyCheck(ctx)
	if err == nil {
		plain, k, err := box.open(kc.Sealed, keyCheckAAD)
		if err != nil || string(plain) != keyCheckPlain {
			return "", ErrWrongSecretKey
		}
		return k.id, nil
	}
	if !errors.Is(err, data.ErrNotFound) {
		return "", err
	}
	k := box.keys[0]
	sample, err := tx.SampleSealedSecret(ctx)
	switch {
	case err == nil:
		if _, k, err = box.open(sample.Sealed, SealedAAD(*sample)); err != nil {
			return "", ErrWrongSecretKey
		}
	case !errors.Is(err, data.ErrNotFound):
		return "", err
	}
	if err := putKeyCheck(ctx, tx, box, k); err != nil {
		return "", err
	}
	if _, err := tx.StampKeyedHashes(ctx, k.id); err != nil {
		return "", err
	}
	return k.id, nil
}

func putKeyCheck(ctx context.Context, tx *data.Tx, box *SecretBox, k boxKey) error {
	sealed, err := box.sealUnder(k, []byte(keyCheckPlain), keyCheckAAD)
	if err != nil {
		return err
	}
	return tx.PutKeyCheck(ctx, sealed, k.id)
}

// StaffAAD binds a sealed staff secret to its owner. Rekey opens staff
// secrets too, so the format lives here beside factorAAD.
func StaffAAD(staffID int64) []byte {
	return []byte("staff:" + strconv.FormatInt(staffID, 10) + ":totp")
}

// LetterAAD binds a letter's sealed code to its customer.
func LetterAAD(customerID int64) []byte {
	return []byte("letter:" + strconv.FormatInt(customerID, 10) + ":code")
}

// OIDCKeyAAD binds a sealed OpenID Connect signing key to its generation.
func OIDCKeyAAD(generation int64) []byte {
	return []byte("oidc:" + strconv.FormatInt(generation, 10) + ":signing-key")
}

// SealedAAD is the associated data s was sealed with: factorAAD for a
// customer's factor, StaffAAD for a staff member's TOTP, LetterAAD for a
// letter's code, OIDCKeyAAD for a signing key.
func SealedAAD(s data.SealedSecret) []byte {
	switch s.Table {
	case "staff":
		return StaffAAD(s.Owner)
	case "postal_letters":
		return LetterAAD(s.Owner)
	case "oidc_signing_keys":
		return OIDCKeyAAD(s.Owner)
	}
	return factorAAD(s.Owner, s.Kind)
}

// Rekey re-encrypts every sealed secret under newKey in one transaction,
// and the key check with them, so the database is either all old key or
// all new key. The key check must open with oldKey (else nothing changes:
// wrong key, or the rekey was already done); secrets already under newKey
// (sealed by a service started with newKey and oldKey listed as old) are
// sealed again under it. Keyed hashes cannot be re-keyed: they stay
// checkable while oldKey is listed in --old-secret-keys.
func Rekey(ctx context.Context, db *data.DB, oldKey, newKey []byte) (int, error) {
	oldBox, err := NewSecretBox(oldKey)
	if err != nil {
		return 0, err
	}
	either, err := NewSecretBox(newKey, oldKey)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.InTx(ctx, func(tx *data.Tx) error {
		_, err := ensureKeyCheck(ctx, tx, oldBox)
		if errors.Is(err, ErrWrongSecretKey) {
			return errors.New("the old key does not open this database's secrets (wrong key, or the rekey was already done); nothing was changed")
		}
		if err != nil {
			return err
		}
		secrets, err := tx.SealedSecrets(ctx)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			aad := SealedAAD(s)
			plain, err := either.Open(s.Sealed, aad)
			if err != nil {
				return fmt.Errorf("%s.%s of row %d does not open with the old key; nothing was changed", s.Table, s.Column, s.ID)
			}
			sealed, err := either.Seal(plain, aad)
			if err != nil {
				return err
			}
			if err := tx.ReplaceSealedSecret(ctx, s, sealed); err != nil {
				return err
			}
			n++
		}
		return putKeyCheck(ctx, tx, either, either.keys[0])
	})
	return n, err
}
