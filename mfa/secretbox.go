package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// secretKeyBytes is the key size for SecretBox: AES-256.
const secretKeyBytes = 32

// SecretBox encrypts small secrets at rest (TOTP seeds) with AES-256-GCM, so
// a database dump without the application key does not let anyone generate
// a user's codes.
//
// Each Seal uses a fresh random 96-bit nonce. With random nonces GCM stays
// safe up to roughly 2^32 messages per key, orders of magnitude more than the
// number of TOTP secrets this product will ever encrypt.
type SecretBox struct {
	aead cipher.AEAD
}

// NewSecretBox returns a SecretBox using key, which must be exactly 32 bytes.
// We insist on 32 rather than letting AES also accept 16 or 24 bytes, so a
// truncated or mis-decoded configuration value is caught at start-up.
func NewSecretBox(key []byte) (*SecretBox, error) {
	if len(key) != secretKeyBytes {
		return nil, fmt.Errorf("mfa: secret box key must be %d bytes, got %d", secretKeyBytes, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("mfa: creating AES cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("mfa: creating GCM: %w", err)
	}
	return &SecretBox{aead: aead}, nil
}

// Seal encrypts and authenticates plaintext, and authenticates (but does not
// encrypt) aad. It returns nonce || ciphertext || tag.
//
// Callers should pass something identifying the owner of the secret as aad,
// such as the user ID, so a ciphertext copied from one user's row to another's
// fails to open instead of silently working.
func (b *SecretBox) Seal(plaintext, aad []byte) ([]byte, error) {
	nonceSize := b.aead.NonceSize()
	out := make([]byte, nonceSize, nonceSize+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("mfa: generating nonce: %w", err)
	}
	// Seal appends to out, after the nonce, reusing its spare capacity.
	return b.aead.Seal(out, out[:nonceSize], plaintext, aad), nil
}

// Open reverses Seal. It fails if sealed is too short, was modified, was
// sealed under another key, or aad differs from the one given to Seal. The
// error deliberately does not say which, as that would help an attacker.
func (b *SecretBox) Open(sealed, aad []byte) ([]byte, error) {
	nonceSize := b.aead.NonceSize()
	if len(sealed) < nonceSize+b.aead.Overhead() {
		return nil, errors.New("mfa: sealed secret too short")
	}
	plaintext, err := b.aead.Open(nil, sealed[:nonceSize], sealed[nonceSize:], aad)
	if err != nil {
		return nil, errors.New("mfa: cannot open sealed secret")
	}
	return plaintext, nil
}

// DevSecretKey returns the well-known development key. It is derived from a
// public string, so it protects nothing; it exists so local development works
// without configuration. It is exported so production start-up can compare
// the configured key against it and refuse to run with it. A fresh slice is
// returned on every call so no caller can alter what others see.
func DevSecretKey() []byte {
	sum := sha256.Sum256([]byte("mfadesk development key - never use in production"))
	return sum[:]
}

// ParseSecretKey decodes a configured 32-byte key given either as 64 hex
// characters or as base64 (standard or URL alphabet, padded or not).
// Surrounding white space, as left by editors and secret managers, is ignored.
// Errors never include the key text, since it may end up in logs.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("mfa: secret key is empty")
	}

	// 64 hex characters cannot be mistaken for base64 of 32 bytes, which is
	// 43 or 44 characters long, so the order of the attempts does not matter.
	if len(s) == 2*secretKeyBytes {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}

	encodings := []*base64.Encoding{
		base64.StdEncoding,
		base64.RawStdEncoding,
		base64.URLEncoding,
		base64.RawURLEncoding,
	}
	for _, enc := range encodings {
		key, err := enc.Strict().DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != secretKeyBytes {
			return nil, fmt.Errorf("mfa: secret key must decode to %d bytes, got %d", secretKeyBytes, len(key))
		}
		return key, nil
	}
	return nil, fmt.Errorf("mfa: secret key must be %d hex characters or base64 of %d bytes", 2*secretKeyBytes, secretKeyBytes)
}
