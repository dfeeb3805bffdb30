package mfa

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// The brokerage's existing customers bring their password hashes with them
// (docs/security.md S72): bcrypt, PBKDF2-SHA256 and argon2id are stored as
// they are, in one canonical spelling per scheme, verified at login and
// replaced by our own argon2id at the first right password
// (password_upgrade.go). Weak parameters are accepted, because refusing
// them would only lock the customer out (the hash is already as weak as it
// is in the old system, and lives until the next login); parameters that
// would make one check cost seconds or hundreds of MiB are refused,
// because every wrong try at such an account would cost that much.

// ErrUnsupportedHash is an imported password hash that is not one of the
// accepted schemes, is malformed, or asks for costs out of bounds.
var ErrUnsupportedHash = errors.New("unsupported password hash")

// The schemes, as audit events name them.
const (
	schemeArgon2id = "argon2id"
	schemeBcrypt   = "bcrypt"
	schemePBKDF2   = "pbkdf2-sha256"
)

// Bounds on imported hashes. Measured on one core, our argon2id (19 MiB, 2
// passes) is the unit: bcrypt cost 12 is about 2 units, 14 about 8;
// PBKDF2-SHA256 at 600,000 iterations about 1, 3,000,000 about 4.5.
const (
	maxImportedLen = 1024 // no accepted spelling is anywhere near as long

	minBcryptCost = bcrypt.MinCost // 4: the format's own minimum
	maxBcryptCost = 14

	minPBKDF2Iter = 1_000 // RFC 8018 section 4.2's minimum; less is a mistake, not a choice
	maxPBKDF2Iter = 3_000_000
	minPBKDF2Salt = 4 // Django's own test vector has 7; shorter is hardly a salt
	maxPBKDF2Salt = 256
	minPBKDF2Key  = 16
	maxPBKDF2Key  = sha256.Size // a longer key costs us a second pass an attacker skips

	// argon2id beyond these runs for seconds per check: libsodium's
	// "moderate" preset (256 MiB, 3 passes) is the largest common one.
	maxImportedArgon2Memory  = 256 * 1024 // KiB
	maxImportedArgon2Time    = 10
	maxImportedArgon2Work    = 1 << 20 // memory × passes, KiB: 1 GiB in all
	maxImportedArgon2Threads = 8       // lanes run in parallel, outside the hashing limit's count
)

// ParseImportedHash validates an imported password hash and returns it in
// the form stored in the customer's row, which login verifies:
//
//   - argon2id in PHC form, "$argon2id$v=19$m=..,t=..,p=..$salt$hash"
//     (unpadded base64), stored as it is;
//   - bcrypt, "$2a$", "$2b$" or "$2y$" with cost 4 to 14, stored as it is;
//   - PBKDF2-SHA256 as Django writes it, "pbkdf2_sha256$iter$salt$hash",
//     in PHC form, "$pbkdf2-sha256$i=iter[,l=len]$salt$hash", or as
//     passlib writes it, "$pbkdf2-sha256$iter$salt$hash" ("." for "+"),
//     with 1,000 to 3,000,000 iterations; all three are stored in PHC form,
//     "$pbkdf2-sha256$i=iter$salt$hash" (salt and hash in unpadded base64).
//
// Errors wrap ErrUnsupportedHash and never contain the hash.
func ParseImportedHash(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxImportedLen {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrUnsupportedHash, maxImportedLen)
	}
	var stored string
	var err error
	switch {
	case strings.HasPrefix(s, "$argon2id$"):
		stored, err = parseImportedArgon2(s)
	case strings.HasPrefix(s, "$2"):
		stored, err = s, checkBcrypt(s)
	case strings.HasPrefix(s, "pbkdf2_sha256$"):
		stored, err = encodePBKDF2(parseDjangoPBKDF2(s))
	case strings.HasPrefix(s, "$pbkdf2-sha256$"):
		stored, err = encodePBKDF2(parsePHCPBKDF2(s))
	default:
		err = errors.New("not argon2id, bcrypt or pbkdf2-sha256")
	}
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnsupportedHash, err)
	}
	return stored, nil
}

// parseImportedArgon2 checks an argon2id hash against the import bounds,
// stricter than those of a hash we made ourselves.
func parseImportedArgon2(s string) (string, error) {
	p, salt, key, err := decodePHC(s)
	switch {
	case err != nil:
		return "", err
	case p.Memory > maxImportedArgon2Memory:
		return "", fmt.Errorf("argon2 memory %d KiB above %d", p.Memory, maxImportedArgon2Memory)
	case p.Time > maxImportedArgon2Time:
		return "", fmt.Errorf("argon2 time %d above %d", p.Time, maxImportedArgon2Time)
	case uint64(p.Memory)*uint64(p.Time) > maxImportedArgon2Work:
		return "", fmt.Errorf("argon2 memory × time %d above %d", uint64(p.Memory)*uint64(p.Time), maxImportedArgon2Work)
	case p.Threads > maxImportedArgon2Threads:
		return "", fmt.Errorf("argon2 threads %d above %d", p.Threads, maxImportedArgon2Threads)
	}
	return encodePHC(p, salt, key), nil
}

// checkBcrypt accepts exactly "$2a$", "$2b$" or "$2y$", two cost digits,
// and 53 characters of bcrypt's base64 (22 of salt, 31 of hash). The
// three versions hash every password under 255 bytes alike.
func checkBcrypt(s string) error {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || !strings.ContainsRune("aby", rune(s[2])) || s[3] != '$' || s[6] != '$' {
		return errors.New("bcrypt: not $2a$, $2b$ or $2y$ of 60 characters")
	}
	if !isDigits(s[4:6]) {
		return errors.New("bcrypt: bad cost")
	}
	if cost, _ := strconv.Atoi(s[4:6]); cost < minBcryptCost || cost > maxBcryptCost {
		return fmt.Errorf("bcrypt cost %d out of range %d..%d", cost, minBcryptCost, maxBcryptCost)
	}
	for _, r := range s[7:] {
		if !strings.ContainsRune("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", r) {
			return errors.New("bcrypt: bad character in salt or hash")
		}
	}
	return nil
}

// pbkdf2Hash is a PBKDF2-HMAC-SHA256 hash: the key's length is the hash's.
type pbkdf2Hash struct {
	iter      int
	salt, key []byte
}

// encodePBKDF2 gives a parsed hash its stored form, the PHC one.
func encodePBKDF2(h pbkdf2Hash, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$%s$i=%d$%s$%s", schemePBKDF2, h.iter,
		base64.RawStdEncoding.EncodeToString(h.salt), base64.RawStdEncoding.EncodeToString(h.key)), nil
}

func (h pbkdf2Hash) validate() error {
	switch {
	case h.iter < minPBKDF2Iter || h.iter > maxPBKDF2Iter:
		return fmt.Errorf("pbkdf2 iterations %d out of range %d..%d", h.iter, minPBKDF2Iter, maxPBKDF2Iter)
	case len(h.salt) < minPBKDF2Salt || len(h.salt) > maxPBKDF2Salt:
		return fmt.Errorf("pbkdf2 salt length %d out of range %d..%d", len(h.salt), minPBKDF2Salt, maxPBKDF2Salt)
	case len(h.key) < minPBKDF2Key || len(h.key) > maxPBKDF2Key:
		return fmt.Errorf("pbkdf2 key length %d out of range %d..%d", len(h.key), minPBKDF2Key, maxPBKDF2Key)
	}
	return nil
}

// parseDjangoPBKDF2 reads Django's "pbkdf2_sha256$iter$salt$hash": the salt
// is used as its bytes as written, the hash is padded standard base64.
func parseDjangoPBKDF2(s string) (pbkdf2Hash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 {
		return pbkdf2Hash{}, errors.New("pbkdf2: wrong number of fields")
	}
	iter, err := parseIterations(parts[1])
	if err != nil {
		return pbkdf2Hash{}, err
	}
	key, err := base64.StdEncoding.Strict().DecodeString(parts[3])
	if err != nil {
		return pbkdf2Hash{}, errors.New("pbkdf2: bad hash encoding")
	}
	h := pbkdf2Hash{iter: iter, salt: []byte(parts[2]), key: key}
	return h, h.validate()
}

// parsePHCPBKDF2 reads "$pbkdf2-sha256$i=iter[,l=len]$salt$hash" in
// unpadded standard base64 (the PHC form, and our stored one), or
// passlib's "$pbkdf2-sha256$iter$salt$hash" with "." for "+".
func parsePHCPBKDF2(s string) (pbkdf2Hash, error) {
	parts := strings.Split(s, "$")
	// "" / "pbkdf2-sha256" / params / salt / hash
	if len(parts) != 5 {
		return pbkdf2Hash{}, errors.New("pbkdf2: wrong number of fields")
	}
	params, saltText, keyText := parts[2], parts[3], parts[4]
	wantLen := -1
	if isDigits(params) { // passlib
		saltText = strings.ReplaceAll(saltText, ".", "+")
		keyText = strings.ReplaceAll(keyText, ".", "+")
	} else {
		iterText, lenText, hasLen := strings.Cut(params, ",")
		var ok bool
		if params, ok = strings.CutPrefix(iterText, "i="); !ok {
			return pbkdf2Hash{}, errors.New(`pbkdf2: expected parameter "i"`)
		}
		if hasLen {
			n, ok := strings.CutPrefix(lenText, "l=")
			if !ok || !isDigits(n) || len(n) > 3 {
				return pbkdf2Hash{}, errors.New(`pbkdf2: bad parameter "l"`)
			}
			wantLen, _ = strconv.Atoi(n)
		}
	}
	iter, err := parseIterations(params)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(saltText)
	if err != nil {
		return pbkdf2Hash{}, errors.New("pbkdf2: bad salt encoding")
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(keyText)
	if err != nil {
		return pbkdf2Hash{}, errors.New("pbkdf2: bad hash encoding")
	}
	if wantLen >= 0 && wantLen != len(key) {
		return pbkdf2Hash{}, errors.New(`pbkdf2: parameter "l" is not the hash's length`)
	}
	h := pbkdf2Hash{iter: iter, salt: salt, key: key}
	return h, h.validate()
}

func parseIterations(s string) (int, error) {
	if !isDigits(s) || len(s) > 9 {
		return 0, errors.New("pbkdf2: bad iteration count")
	}
	n, _ := strconv.Atoi(s)
	return n, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// hashScheme names the scheme of a stored hash, "" if none.
func hashScheme(stored string) string {
	switch {
	case strings.HasPrefix(stored, "$argon2id$"):
		return schemeArgon2id
	case strings.HasPrefix(stored, "$2"):
		return schemeBcrypt
	case strings.HasPrefix(stored, "$"+schemePBKDF2+"$"):
		return schemePBKDF2
	}
	return ""
}

// checkStoredPassword is CheckPassword for a customer's stored hash, of
// any scheme ParseImportedHash stores. A bcrypt or PBKDF2 hash is checked
// against the import bounds again, an argon2id one against
// CheckPassword's: a tampered row must not buy a costly check. Every
// comparison is constant-time (bcrypt's own is). bcrypt reads only a
// password's first 72 bytes, as the old system did; the argon2id that
// replaces it at login hashes the whole password typed.
func checkStoredPassword(stored, password string) (bool, error) {
	switch hashScheme(stored) {
	case schemeArgon2id:
		return CheckPassword(stored, password)
	case schemeBcrypt:
		if err := checkBcrypt(stored); err != nil {
			return false, malformedHash(err.Error())
		}
		err := bcrypt.CompareHashAndPassword([]byte(stored), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		if err != nil {
			return false, malformedHash(err.Error())
		}
		return true, nil
	case schemePBKDF2:
		h, err := parsePHCPBKDF2(stored)
		if err != nil {
			return false, malformedHash(err.Error())
		}
		got, err := pbkdf2.Key(sha256.New, password, h.salt, h.iter, len(h.key))
		if err != nil {
			return false, fmt.Errorf("mfa: pbkdf2: %w", err)
		}
		return subtle.ConstantTimeCompare(got, h.key) == 1, nil
	}
	return false, malformedHash("unknown scheme")
}
