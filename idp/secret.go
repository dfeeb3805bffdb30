// Package idp is mfadesk's OpenID Connect provider: relying parties sign
// customers in through it (docs/operations.md, "OpenID Connect provider").
package idp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// NewClientID returns a random, URL-safe client_id (128 bits).
func NewClientID() string { return randomToken(16) }

// NewClientSecret returns a random 256-bit secret, shown once, and the
// hash to store. The secret is random, so SHA-256 is enough: there is no
// dictionary to slow down.
func NewClientSecret() (secret string, hash []byte) {
	secret = randomToken(32)
	return secret, HashClientSecret(secret)
}

// HashClientSecret is the stored form of a client secret.
func HashClientSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ClientSecretMatches compares secret with the stored hash in constant
// time; an empty hash (public client) matches nothing.
func ClientSecretMatches(hash []byte, secret string) bool {
	if len(hash) != sha256.Size || secret == "" {
		return false
	}
	return subtle.ConstantTimeCompare(hash, HashClientSecret(secret)) == 1
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}
