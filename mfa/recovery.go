package mfa

import (
	"context"
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"mfadesk/data"
	"mfadesk/notify"
)

// RecoveryCodeCount is how many codes one set has.
const RecoveryCodeCount = 10

// recoveryAlphabet leaves out characters read alike (0/o, 1/l/i), since
// customers copy these codes from paper.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

const recoveryLen = 10 // about 50 bits: guessing is bounded by the shared lock

// newRecoveryCode returns a code like "k7m2p-x9qat".
func newRecoveryCode() (string, error) {
	var b strings.Builder
	max := big.NewInt(int64(len(recoveryAlphabet)))
	for i := 0; i < recoveryLen; i++ {
		if i == recoveryLen/2 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b.WriteByte(recoveryAlphabet[n.Int64()])
	}
	return b.String(), nil
}

// NormalizeRecoveryCode folds what a customer typed (full-width, upper
// case, spaces, hyphens) to the stored form without the hyphen.
func NormalizeRecoveryCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	s = strings.ToLower(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == 'ー' {
			return -1
		}
		return r
	}, s)
	if len(s) != recoveryLen || strings.Trim(s, recoveryAlphabet) != "" {
		return "", false
	}
	return s, true
}

// IssueRecoveryCodes makes a new set of codes, voiding the old set, and
// returns them to be shown once. Only keyed hashes are stored.
func (s *Service) IssueRecoveryCodes(ctx context.Context, c *data.Customer, clientIP string) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([]string, RecoveryCodeCount)
	for i := range codes {
		code, err := newRecoveryCode()
		if err != nil {
			return nil, err
		}
		folded, _ := NormalizeRecoveryCode(code)
		if hashes[i], err = s.Codes.Hash(folded); err != nil {
			return nil, err
		}
		codes[i] = code
	}
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.ReplaceRecoveryCodes(ctx, c.ID, hashes); err != nil {
			return err
		}
		if err := notify.NotifyCustomer(ctx, tx, c, notify.RecoveryCodesIssued(tx.Now())); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
			Action: "recovery_codes.issue", Outcome: "success", ClientIP: clientIP,
			Detail: "count=" + strconv.Itoa(RecoveryCodeCount)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// checkRecovery passes when the code matches an unused one, which is then
// used up; the customer is told, since a recovery code may mean a lost
// phone or someone else holding their paper.
func (s *Service) checkRecovery(ctx context.Context, tx *data.Tx, c *data.Customer, typed string) (refusal, err error) {
	code, ok := NormalizeRecoveryCode(typed)
	if !ok {
		return ErrMalformedCode, nil
	}
	unused, err := tx.UnusedRecoveryCodes(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	match := int64(0)
	for _, rc := range unused { // check all: no early exit on a match
		if s.Codes.Check(rc.CodeHash, code) {
			match = rc.ID
		}
	}
	if match == 0 {
		return ErrWrongCode, nil
	}
	used, err := tx.UseRecoveryCode(ctx, match)
	if err != nil || !used {
		return ErrWrongCode, err
	}
	return nil, notify.NotifyCustomer(ctx, tx, c, notify.RecoveryCodeUsed(tx.Now(), len(unused)-1))
}
