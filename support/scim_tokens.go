package support

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"regexp"

	"mfadesk/data"
	"mfadesk/mfa"
)

// scimTokenName is what a SCIM token may be called: it is the actor of
// every change made with the token in the audit trail.
var scimTokenName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ErrScimTokenName: not a token name (lower-case letters, digits, . _ -).
var ErrScimTokenName = errors.New("SCIM token name: 1 to 64 of a-z 0-9 . _ - starting with a letter or digit")

// CreateScimToken makes a bearer token for the back office's SCIM client
// and returns it: shown once, only its SHA-256 is stored. Audited, with
// the name only.
func (s *Service) CreateScimToken(ctx context.Context, name string, by data.AuditEvent) (string, error) {
	if !scimTokenName.MatchString(name) {
		return "", ErrScimTokenName
	}
	token := "mfadesk_scim_" + rand.Text()
	sum := sha256.Sum256([]byte(token))
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		if _, err := tx.CreateScimToken(ctx, name, sum[:]); err != nil {
			return err
		}
		by.Action, by.Outcome, by.Detail = "scim.token_create", "success", "name="+mfa.QuoteForAudit(name)
		return tx.Audit(ctx, by)
	})
	if err != nil {
		return "", fmt.Errorf("create SCIM token %s: %w", name, err)
	}
	return token, nil
}

// RevokeScimToken revokes the usable token of that name at once; audited.
func (s *Service) RevokeScimToken(ctx context.Context, name string, by data.AuditEvent) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.RevokeScimToken(ctx, name); err != nil {
			return err
		}
		by.Action, by.Outcome, by.Detail = "scim.token_revoke", "success", "name="+mfa.QuoteForAudit(name)
		return tx.Audit(ctx, by)
	})
}

// ScimTokenName is the name of the usable token presented, ok false when
// none matches. Every usable token's hash is compared in constant time.
func (s *Service) ScimTokenName(ctx context.Context, presented string) (name string, ok bool, err error) {
	tokens, err := s.DB.ScimTokens(ctx, true)
	if err != nil {
		return "", false, err
	}
	sum := sha256.Sum256([]byte(presented))
	for _, t := range tokens {
		if subtle.ConstantTimeCompare(sum[:], t.Hash) == 1 {
			name, ok = t.Name, true
		}
	}
	return name, ok, nil
}
