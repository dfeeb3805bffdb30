package mfa

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// keyIDBytes is how much of HMAC(key, "key id") names a key: 8 hex
// characters, enough to tell the few keys of one installation apart, and
// saying nothing about the key itself.
const keyIDBytes = 4

// KeyID is the short, public name of a secret key: stored beside what
// the key made (keyed hashes) and printed by mfadesk rekey, so an operator
// can tell which key a row needs without the key ever being shown.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("key id"))
	return hex.EncodeToString(m.Sum(nil)[:keyIDBytes])
}

// ParseSecretKeys reads a comma-separated list of keys (--old-secret-keys),
// each as ParseSecretKey reads it, or "dev" for the development key.
// Errors name the position in the list, never the key text.
func ParseSecretKeys(list string) ([][]byte, error) {
	var keys [][]byte
	for i, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		switch s {
		case "":
			continue
		case "dev":
			keys = append(keys, DevSecretKey())
			continue
		}
		key, err := ParseSecretKey(s)
		if err != nil {
			return nil, fmt.Errorf("key %d of the list: %w", i+1, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// DeriveKey gives each use of the configured secret its own key, so a key
// for one purpose (code hashes, CSRF tokens of login pages) says nothing of
// another's.
func DeriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
