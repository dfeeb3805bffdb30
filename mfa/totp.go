// Package mfa holds the small, security-sensitive building blocks of
// mfadesk's multi-factor authentication: TOTP (authenticator apps), one-time
// SMS/email codes, password hashing and encryption of secrets at rest.
//
// Everything here is deliberately thin glue around vetted implementations
// (the Go standard library, golang.org/x/crypto and github.com/pquerna/otp).
// No cryptographic primitive is implemented in this package.
package mfa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPPeriod is the TOTP time step in seconds. 30 s is what RFC 6238
// recommends and what every mainstream authenticator app assumes when the
// provisioning URI is not honoured in full, so we do not make it configurable.
const TOTPPeriod = 30

// totpSecretBytes is the size of a new TOTP secret. RFC 4226 section 4
// requires at least 128 bits and recommends 160; 20 bytes is also the HMAC-SHA1
// block-friendly size that authenticator apps expect.
const totpSecretBytes = 20

// totpDigits is the code length. Six digits is the only length that all
// authenticator apps display reliably.
const totpDigits = 6

// totpOpts returns the fixed options we use for every TOTP computation.
// It is a function rather than a package variable so nothing can mutate it.
func totpOpts() totp.ValidateOpts {
	return totp.ValidateOpts{
		Period:    TOTPPeriod,
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1, // SHA-1: the only algorithm all apps support
	}
}

// NewTOTPSecret returns a fresh random TOTP secret as unpadded, upper-case
// standard base32, which is the form authenticator apps expect in the
// provisioning URI and the form people type in when they cannot scan a QR code.
func NewTOTPSecret() (string, error) {
	buf := make([]byte, totpSecretBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("mfa: generating TOTP secret: %w", err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(buf), nil
}

// TOTPStep returns the RFC 6238 time-step counter T for t, i.e.
// floor(unix seconds / TOTPPeriod). Floor (not Go's truncating division)
// keeps the function correct for times before 1970, which only matters for
// tests and broken clocks but costs nothing.
func TOTPStep(t time.Time) int64 {
	u := t.Unix()
	step := u / TOTPPeriod
	if u%TOTPPeriod < 0 {
		step--
	}
	return step
}

// TOTPCode returns the 6-digit TOTP code for secret at time t.
// The error is non-nil only when secret is not valid base32.
func TOTPCode(secret string, t time.Time) (string, error) {
	code, err := totp.GenerateCodeCustom(secret, t, totpOpts())
	if err != nil {
		return "", fmt.Errorf("mfa: computing TOTP code: %w", err)
	}
	return code, nil
}

// MatchTOTP checks code, which must already be normalised to 6 ASCII digits
// (see NormalizeCode), against the time steps T-1, T and T+1 where
// T = TOTPStep(now). One step either side tolerates ordinary clock drift and
// the time a person needs to type the code, without widening the window for
// guessing more than necessary.
//
// Steps less than or equal to lastAccepted are skipped: a code that has been
// accepted once must never be accepted again (RFC 6238 section 5.2), otherwise
// a code seen over someone's shoulder or phished in real time could be
// replayed within its window. Pass -1 (or 0) when nothing has been accepted
// yet. On success the caller must persist the returned step as the new
// lastAccepted, atomically with accepting the login.
//
// All candidate steps are computed and compared in constant time, with no
// early return, so the response time does not reveal which step matched.
func MatchTOTP(secret, code string, now time.Time, lastAccepted int64) (step int64, ok bool) {
	// The length of the submitted code is not secret, so rejecting a
	// wrong-length code immediately leaks nothing.
	if len(code) != totpDigits {
		return 0, false
	}
	current := TOTPStep(now)
	matched := 0
	for s := current - 1; s <= current+1; s++ {
		if s <= lastAccepted || s < 0 {
			continue
		}
		want, err := TOTPCode(secret, time.Unix(s*TOTPPeriod, 0))
		if err != nil {
			// A malformed secret is a server-side data problem; it must
			// fail closed rather than match anything.
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			// If the code happens to be valid for two steps (a 1-in-a-million
			// collision) we keep the later one: recording the higher step as
			// lastAccepted is the choice that cannot let the same code be
			// replayed in a later window.
			step = s
			matched = 1
		}
	}
	if matched == 0 {
		return 0, false
	}
	return step, true
}

// TOTPURI builds the otpauth:// provisioning URI (Google Authenticator "Key
// URI Format") that is rendered as a QR code during enrolment. The label is
// "Issuer:account" and the issuer is also given as a parameter, which is what
// current apps use to group and name entries. Every component is
// percent-escaped; spaces become %20 rather than '+', because several
// authenticator apps show a literal '+' otherwise.
//
// Neither issuer nor accountName should contain a colon (the format uses it as
// the label separator); if they do it is escaped as %3A so the URI still
// parses, and the issuer parameter remains authoritative.
func TOTPURI(issuer, accountName, secret string) string {
	label := uriEscape(accountName)
	if issuer != "" {
		label = uriEscape(issuer) + ":" + label
	}

	// The query is assembled by hand (not url.Values.Encode) to keep the
	// conventional parameter order and %20 for spaces.
	var q strings.Builder
	q.WriteString("secret=" + uriEscape(secret))
	if issuer != "" {
		q.WriteString("&issuer=" + uriEscape(issuer))
	}
	q.WriteString("&algorithm=SHA1")
	fmt.Fprintf(&q, "&digits=%d", totpDigits)
	fmt.Fprintf(&q, "&period=%d", TOTPPeriod)

	return "otpauth://totp/" + label + "?" + q.String()
}

// uriEscape percent-escapes s for use in either the label or a query value of
// an otpauth URI. url.QueryEscape escapes everything that is significant in
// either position ('/', '?', '&', '=', ':', '#', '%', '+') and turns spaces
// into '+'; since a literal '+' has already become %2B, any remaining '+' is a
// space and can safely be rewritten to %20.
func uriEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
