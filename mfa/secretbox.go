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
// It seals under the current key and opens with the current key or any
// old key still listed (--old-secret-keys), so a database part-way through
// a key rotation stays readable (docs/operations.md, "Rotating the secret
// key"). A sealed secret carries no key id: GCM authenticates, so the key
// that opens it is the key that sealed it, and trying each listed key in
// turn is safe.
//
// Each Seal uses a fresh random 96-bit nonce. With random nonces GCM stays
// safe up to roughly 2^32 messages per key, orders of magnitude more than the
// number of TOTP secrets this product will ever encrypt.
type SecretBox struct {
	keys []boxKey // keys[0] seals; every one opens
}

type boxKey struct {
	id   string
	aead cipher.AEAD
}

// NewSecretBox returns a SecretBox sealing under key and opening with key
// or any of old. Every key must be exactly 32 bytes. We insist on 32 rather
// than letting AES also accept 16 or 24 bytes, so a truncated or
// mis-decoded configuration value is caught at start-up.
func NewSecretBox(key []byte, old ...[]byte) (*SecretBox, error) {
	b := &SecretBox{}
	for _, k := range append([][]byte{key}, old...) {
		if len(k) != secretKeyBytes {
			return nil, fmt.Errorf("mfa: secret box key must be %d bytes, got %d", secretKeyBytes, len(k))
		}
		id := KeyID(k)
		if b.has(id) {
			continue
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("mfa: creating AES cipher: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("mfa: creating GCM: %w", err)
		}
		b.keys = append(b.keys, boxKey{id: id, aead: aead})
	}
	return b, nil
}

// KeyID is the id of the key Seal uses.
func (b *SecretBox) KeyID() string { return b.keys[0].id }

func (b *SecretBox) has(id string) bool {
	for _, k := range b.keys {
		if k.id == id {
			return true
		}
	}
	return false
}

// Seal encrypts and authenticates plaintext under the current key, and
// authenticates (but does not encrypt) aad. It returns nonce || ciphertext
// || tag.
//
// Callers should pass something identifying the owner of the secret as aad,
// such as the user ID, so a ciphertext copied from one user's row to another's
// fails to open instead of silently working.
func (b *SecretBox) Seal(plaintext, aad []byte) ([]byte, error) {
	return b.sealUnder(b.keys[0], plaintext, aad)
}

func (b *SecretBox) sealUnder(k boxKey, plaintext, aad []byte) ([]byte, error) {
	nonceSize := k.aead.NonceSize()
	out := make([]byte, nonceSize, nonceSize+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("mfa: generating nonce: %w", err)
	}
	// Seal appends to out, after the nonce, reusing its spare capacity.
	return k.aead.Seal(out, out[:nonceSize], plaintext, aad), nil
}

// Open reverses Seal, with whichever listed key sealed it. It fails if
// sealed is too short, was modified, was sealed under a key not listed, or
// aad differs from the one given to Seal. The error deliberately does not
// say which, as that would help an attacker.
func (b *SecretBox) Open(sealed, aad []byte) ([]byte, error) {
	plaintext, _, err := b.open(sealed, aad)
	return plaintext, err
}

// open is Open that also says which key opened sealed.
func (b *SecretBox) open(sealed, aad []byte) ([]byte, boxKey, error) {
	for _, k := range b.keys {
		nonceSize := k.aead.NonceSize()
		if len(sealed) < nonceSize+k.aead.Overhead() {
			return nil, boxKey{}, errors.New("mfa: sealed secret too short")
		}
		if plaintext, err := k.aead.Open(nil, sealed[:nonceSize], sealed[nonceSize:], aad); err == nil {
			return plaintext, k, nil
		}
	}
	return nil, boxKey{}, errors.New("mfa: cannot open sealed secret")
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
