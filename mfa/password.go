package mfa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the tunable costs of argon2id.
type Argon2Params struct {
	Memory  uint32 // memory cost in KiB
	Time    uint32 // number of passes over memory
	Threads uint8  // degree of parallelism
	SaltLen uint32 // salt length in bytes
	KeyLen  uint32 // derived key (hash) length in bytes
}

// DefaultArgon2 returns the OWASP Password Storage Cheat Sheet minimum for
// argon2id (19 MiB, 2 iterations, 1 lane). It is a function, not a package
// variable, so no code can change the defaults for everyone at run time.
func DefaultArgon2() Argon2Params {
	return Argon2Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on parameters. Stored hashes are read back from the database, so a
// tampered or corrupted row must not be able to make a login request allocate
// gigabytes or spin for minutes (or make argon2 panic on zero values).
const (
	maxArgon2Memory = 1 << 20 // KiB, i.e. 1 GiB
	maxArgon2Time   = 10
	minArgon2Salt   = 8 // RFC 9106 section 3.1: salt of at least 8 bytes
	maxArgon2Salt   = 1024
	minArgon2Key    = 16 // anything shorter is too easy to collide with
	maxArgon2Key    = 1024
)

// malformedHash returns the error for an encoded hash that cannot be used.
// The reason makes logs useful; the message never contains the hash itself.
// (A function rather than a sentinel variable: this package keeps no
// package-level variables.)
func malformedHash(reason string) error {
	return errors.New("mfa: malformed password hash: " + reason)
}

// validate rejects parameter sets that are unsafe or absurdly expensive.
// Its errors carry no "mfa:" prefix because callers wrap them.
func (p Argon2Params) validate() error {
	switch {
	case p.Memory > maxArgon2Memory:
		return fmt.Errorf("argon2 memory %d KiB exceeds limit %d", p.Memory, maxArgon2Memory)
	case p.Time == 0 || p.Time > maxArgon2Time:
		return fmt.Errorf("argon2 time %d out of range 1..%d", p.Time, maxArgon2Time)
	case p.Threads == 0:
		return errors.New("argon2 threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads):
		// RFC 9106 requires m >= 8*p; x/crypto would silently round up,
		// making the encoded string misstate the real cost.
		return fmt.Errorf("argon2 memory %d KiB below minimum 8*threads", p.Memory)
	case p.SaltLen < minArgon2Salt || p.SaltLen > maxArgon2Salt:
		return fmt.Errorf("argon2 salt length %d out of range %d..%d", p.SaltLen, minArgon2Salt, maxArgon2Salt)
	case p.KeyLen < minArgon2Key || p.KeyLen > maxArgon2Key:
		return fmt.Errorf("argon2 key length %d out of range %d..%d", p.KeyLen, minArgon2Key, maxArgon2Key)
	}
	return nil
}

// HashPassword hashes password with argon2id and a fresh random salt and
// returns it in the PHC string format understood by other argon2 tools:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64. The whole password is hashed
// as its UTF-8 bytes; nothing is truncated (unlike bcrypt's 72-byte limit).
// Callers should still cap password length at the HTTP layer to bound request
// size, but argon2 itself pre-hashes the input, so length barely affects cost.
func HashPassword(password string, p Argon2Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("mfa: invalid argon2 parameters: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("mfa: generating password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// CheckPassword reports whether password matches encoded, a string produced
// by HashPassword. The cost parameters are taken from encoded, so hashes made
// with older parameters keep working after the defaults are raised (callers
// can re-hash on successful login).
//
// A wrong password gives (false, nil). An error is returned only when encoded
// is malformed or asks for unreasonable costs; that indicates corrupted or
// tampered data and must be treated as a failed login.
func CheckPassword(encoded, password string) (bool, error) {
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyCheckPassword does the same amount of work as CheckPassword against a
// hash made with p, and throws the result away. Call it when the user name is
// unknown so that the response time does not reveal whether an account exists.
// If p is invalid the defaults are used, because this function must never
// fail or be noticeably faster than the real path.
func DummyCheckPassword(password string, p Argon2Params) {
	if p.validate() != nil {
		p = DefaultArgon2()
	}
	// The salt's value is irrelevant (the result is discarded); only its
	// length and the other parameters determine the cost.
	salt := make([]byte, p.SaltLen)
	want := make([]byte, p.KeyLen)
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	// Mirror the comparison of the real path as well.
	_ = subtle.ConstantTimeCompare(got, want)
}

// encodePHC formats an argon2id hash as a PHC string.
func encodePHC(p Argon2Params, salt, key []byte) string {
	return phcPrefix(p) + base64.RawStdEncoding.EncodeToString(salt) + "$" +
		base64.RawStdEncoding.EncodeToString(key)
}

// phcPrefix is the start of every PHC string of a hash made with p's costs.
func phcPrefix(p Argon2Params) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, p.Memory, p.Time, p.Threads)
}

// decodePHC parses a PHC string produced by encodePHC. It is strict on
// purpose: only argon2id, only version 19, parameters in the order m,t,p, and
// unpadded standard base64, so that there is exactly one accepted spelling of
// each hash.
func decodePHC(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	// "" / "argon2id" / "v=19" / "m=..,t=..,p=.." / salt / hash
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, malformedHash("wrong number of fields")
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, malformedHash("unsupported algorithm")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, malformedHash("unsupported version")
	}

	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return p, nil, nil, malformedHash("wrong number of parameters")
	}
	m, err := parsePHCParam(params[0], "m", 32)
	if err != nil {
		return p, nil, nil, err
	}
	t, err := parsePHCParam(params[1], "t", 32)
	if err != nil {
		return p, nil, nil, err
	}
	threads, err := parsePHCParam(params[2], "p", 8)
	if err != nil {
		return p, nil, nil, err
	}

	salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, malformedHash("bad salt encoding")
	}
	key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, malformedHash("bad hash encoding")
	}

	p = Argon2Params{
		Memory:  uint32(m),
		Time:    uint32(t),
		Threads: uint8(threads),
		SaltLen: uint32(len(salt)),
		KeyLen:  uint32(len(key)),
	}
	if err := p.validate(); err != nil {
		return Argon2Params{}, nil, nil, malformedHash(err.Error())
	}
	return p, salt, key, nil
}

// parsePHCParam parses one "name=value" parameter as an unsigned decimal that
// fits in bits bits. strconv.ParseUint rejects signs and out-of-range values,
// so a value cannot wrap around when it is narrowed by the caller.
func parsePHCParam(s, name string, bits int) (uint64, error) {
	k, v, found := strings.Cut(s, "=")
	if !found || k != name {
		return 0, malformedHash("expected parameter " + strconv.Quote(name))
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, malformedHash("bad value for parameter " + strconv.Quote(name))
	}
	return n, nil
}
