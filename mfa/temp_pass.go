package mfa

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"mfadesk/data"
)

// A temporary access pass lets a customer whose factors support reset log
// in once, with their login ID and password, to enrol a new factor. It is
// shown once to the staff member who passes it on, stored only as a keyed
// hash, used once, and valid for Config.TempPassTTL. It passes login and
// nothing else: never a step-up, never a withdrawal, and not login either
// where only a passkey may pass it (docs/security.md S42, through Verify's
// refuseDowngrade).

// tempPassAlphabet leaves out characters read alike (0/O, 1/I/L): the
// pass is read out over the phone or written on paper at a shop.
const tempPassAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// tempPassLen is 12 characters of 31, about 59 bits: guessing is bounded
// by the shared lock as well as by the short validity.
const tempPassLen = 12

// newTempPass returns a pass like "K7M2-PX9Q-AT4R".
func newTempPass() (string, error) {
	var b strings.Builder
	max := big.NewInt(int64(len(tempPassAlphabet)))
	for i := 0; i < tempPassLen; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b.WriteByte(tempPassAlphabet[n.Int64()])
	}
	return b.String(), nil
}

// NormalizeTempPass folds what a customer typed (full-width, lower case,
// spaces, hyphens) to the stored form without hyphens.
func NormalizeTempPass(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	s = strings.ToUpper(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == 'ー' {
			return -1
		}
		return r
	}, s)
	if len(s) != tempPassLen || strings.Trim(s, tempPassAlphabet) != "" {
		return "", false
	}
	return s, true
}

// checkTempPass is Verify's check for MethodTempPass, inside the shared
// attempt: only a login may use a pass, and it is used up when it passes.
// A customer without a pass gets the same answer as a wrong pass, and it
// counts toward the lock the same way.
func (s *Service) checkTempPass(ctx context.Context, tx *data.Tx, c *data.Customer, in VerifyInput) (refusal, err error) {
	if in.Use != UseLogin || in.Purpose != PurposeLogin {
		return ErrMethodNotAllowed, nil
	}
	typed, ok := NormalizeTempPass(in.Code)
	if !ok {
		return ErrMalformedCode, nil
	}
	p, err := tx.OpenTempPass(ctx, c.ID)
	if errors.Is(err, data.ErrNotFound) {
		return ErrWrongCode, nil
	}
	if err != nil {
		return nil, err
	}
	if !s.Codes.Check(p.PassHash, typed) {
		return ErrWrongCode, nil
	}
	if !tx.Now().Before(p.ExpiresAt) {
		return ErrCodeExpired, nil
	}
	used, err := tx.UseTempPass(ctx, p.ID)
	if err != nil || !used {
		return ErrWrongCode, err
	}
	return nil, nil
}
