package mfa

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupportedHash: an imported password hash is in a format mfadesk
// cannot verify.
var ErrUnsupportedHash = errors.New("unsupported password hash format")

// ParseImportedHash checks a password hash from the back office's customer
// export and returns it as stored. Only argon2id PHC strings are accepted
// for now; anything else wraps ErrUnsupportedHash.
func ParseImportedHash(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "$argon2id$") {
		return "", fmt.Errorf("mfa: %w", ErrUnsupportedHash)
	}
	if _, _, _, err := decodePHC(s); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnsupportedHash, err)
	}
	return s, nil
}
