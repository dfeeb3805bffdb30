package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// codeDigits is the length of one-time SMS/email codes. It matches the TOTP
// length so people (and NormalizeCode) deal with a single format.
const codeDigits = 6

// maxCodeInputBytes bounds the raw input NormalizeCode will look at. A real
// code, even typed with full-width digits and separators, is far shorter; the
// bound keeps an attacker from making us normalise megabytes of text.
const maxCodeInputBytes = 64

// codeSaltBytes is the per-code salt length for CodeHasher.
const codeSaltBytes = 16

// NewCode returns a uniformly random 6-digit decimal code, zero-padded
// (e.g. "004217"). rand.Int draws uniformly from [0, 10^6) without the modulo
// bias that "random bytes % 1000000" would have.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("mfa: generating one-time code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// NormalizeCode turns what a person typed (or pasted, or what a phone
// keyboard produced) into exactly 6 ASCII digits.
//
// First the input is NFKC-normalised, which maps full-width digits such as
// "１２３４５６" (common with Japanese and Chinese input methods) to ASCII and
// folds compatibility variants of spaces and hyphens. Then every kind of white
// space (including U+3000 ideographic space and tabs) and every hyphen-like
// separator we expect in "123-456" or "123 456" is dropped. Anything else,
// letters or non-ASCII digits that NFKC does not fold, makes the result
// invalid: ok is false unless exactly 6 ASCII digits remain.
//
// Inputs longer than 64 bytes are rejected before any processing.
func NormalizeCode(s string) (code string, ok bool) {
	if len(s) > maxCodeInputBytes {
		return "", false
	}
	s = norm.NFKC.String(s)

	var b strings.Builder
	for _, r := range s {
		switch {
		case isCodeSeparator(r):
			continue
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != codeDigits {
		return "", false
	}
	return b.String(), true
}

// isCodeSeparator reports whether r is a character people put between digit
// groups and that NormalizeCode should ignore.
func isCodeSeparator(r rune) bool {
	switch {
	case unicode.IsSpace(r): // ASCII space, tab, NBSP, U+3000, ...
		return true
	case r == '-': // ASCII hyphen-minus
		return true
	case r >= 0x2010 && r <= 0x2015: // hyphen, non-breaking hyphen, figure dash, en/em dash, horizontal bar
		return true
	case r == 0x30FC: // katakana prolonged sound mark, often typed as a dash on Japanese keyboards
		return true
	case r == 0xFF0D: // full-width hyphen-minus (NFKC already folds it; kept for clarity)
		return true
	}
	return false
}

// CodeHasher stores one-time codes, recovery codes and temporary passes as
// keyed hashes.
//
// A 6-digit code has only 10^6 possible values, so a plain or even salted
// unkeyed hash in a database dump could be reversed by trying them all. Using
// HMAC-SHA256 keyed with a server secret that is not in the database means a
// dump alone reveals nothing; the per-code random salt additionally makes two
// hashes of the same code look unrelated.
//
// Each hash names the key that made it, so a key rotation does not void
// what customers hold: new hashes use the current key, and hashes made by
// an old key still check while that key is listed (--old-secret-keys;
// docs/operations.md, "Rotating the secret key").
type CodeHasher struct {
	keys []hashKey // keys[0] hashes; every one checks
}

type hashKey struct {
	id  string // KeyID of the configured secret
	key []byte // derived from it for code hashes only
}

// codeKeyPurpose separates the code-hashing key from the secret's other
// uses (the secret itself seals TOTP seeds).
const codeKeyPurpose = "one-time codes"

// NewCodeHasher returns a CodeHasher hashing with a key derived from
// secret and checking with it or one derived from any of old. secret is a
// server-side secret that must not be stored alongside the hashes (use at
// least 32 random bytes). The keys are derived afresh, so later changes to
// the caller's slices have no effect.
func NewCodeHasher(secret []byte, old ...[]byte) CodeHasher {
	var h CodeHasher
	for _, k := range append([][]byte{secret}, old...) {
		if h.key(KeyID(k)) != nil {
			continue
		}
		h.keys = append(h.keys, hashKey{id: KeyID(k), key: DeriveKey(k, codeKeyPurpose)})
	}
	return h
}

// Hash returns "keyid$hex(salt)$hex(mac)" for code, where keyid names the
// current key, salt is 16 fresh random bytes and mac = HMAC-SHA256(key,
// salt || code). The salt has a fixed length, so the concatenation is
// unambiguous.
func (h CodeHasher) Hash(code string) (string, error) {
	salt := make([]byte, codeSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("mfa: generating code salt: %w", err)
	}
	k := h.keys[0]
	return k.id + "$" + hex.EncodeToString(salt) + "$" + hex.EncodeToString(mac(k.key, salt, code)), nil
}

// Check reports whether code matches stored, a value produced by Hash
// with a key this hasher knows. The MAC comparison is constant time
// (hmac.Equal). A malformed stored value, or one made by a key no longer
// listed, simply does not match: there is nothing useful a caller could do
// with an error at login time, and failing closed is the safe outcome.
func (h CodeHasher) Check(stored, code string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 {
		return false
	}
	k := h.key(parts[0])
	if k == nil {
		return false
	}
	salt, err := hex.DecodeString(parts[1])
	if err != nil || len(salt) != codeSaltBytes {
		return false
	}
	want, err := hex.DecodeString(parts[2])
	if err != nil || len(want) != sha256.Size {
		return false
	}
	return hmac.Equal(mac(k.key, salt, code), want)
}

// key is the key named id, or nil.
func (h CodeHasher) key(id string) *hashKey {
	for i := range h.keys {
		if h.keys[i].id == id {
			return &h.keys[i]
		}
	}
	return nil
}

// mac computes HMAC-SHA256(key, salt || code).
func mac(key, salt []byte, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(salt)
	m.Write([]byte(code))
	return m.Sum(nil)
}
