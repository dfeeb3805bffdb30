package mfa

import (
	"errors"
	"strings"
	"unicode"

	"github.com/go-webauthn/webauthn/webauthn"
	"golang.org/x/text/unicode/norm"

	"mfadesk/data"
)

// Service applies the authentication rules over the database.
type Service struct {
	DB     *data.DB
	Box    *SecretBox
	Codes  CodeHasher
	Config Config
	// Observer hears outcomes after they commit, for metrics; may be nil.
	Observer Observer
	// WebAuthn checks passkey ceremonies against the configured origin.
	WebAuthn *webauthn.WebAuthn
	// hashes bounds concurrent argon2id work (hash_limit.go).
	hashes hashGate
}

// Observer hears authentication outcomes. Outcomes are short codes
// ("success", "failure", "locked", ...), never user input.
type Observer interface {
	PasswordChecked(outcome string)
	SecondFactorChecked(method Method, purpose, outcome string)
	Locked()
}

func (s *Service) observePassword(outcome string) {
	if s.Observer != nil {
		s.Observer.PasswordChecked(outcome)
	}
}

func (s *Service) observeSecondFactor(in VerifyInput, result error) {
	if s.Observer == nil {
		return
	}
	outcome := "success"
	switch {
	case errors.Is(result, ErrLocked):
		outcome = "locked"
	case result != nil:
		outcome = "failure:" + reason(result)
	}
	purpose := in.Purpose
	if i := strings.IndexByte(purpose, ':'); i > 0 {
		purpose = purpose[:i] // "stepup:withdrawal:12" counts as "stepup"
	}
	s.Observer.SecondFactorChecked(in.Method, purpose, outcome)
}

// Errors of authentication. The web layer maps them to pages; none of them
// says whether an account exists.
var (
	ErrBadCredentials     = errors.New("login id or password is wrong")
	ErrAddressThrottled   = errors.New("too many failed logins from this address")
	ErrLocked             = errors.New("second factor locked")
	ErrWrongCode          = errors.New("wrong code")
	ErrMalformedCode      = errors.New("code is not 6 digits")
	ErrCodeExpired        = errors.New("code expired")
	ErrTooManyTries       = errors.New("too many wrong tries for this code")
	ErrNoCode             = errors.New("no code was sent")
	ErrResendTooSoon      = errors.New("resend cool-down")
	ErrSendLimit          = errors.New("hourly code limit reached")
	ErrMethodNotAllowed   = errors.New("method not available to this customer")
	ErrCodeReused         = errors.New("code already used")
	ErrBadTradingPassword = errors.New("trading password is wrong")
	ErrStepUpRequired     = errors.New("a fresh second factor is required")
	ErrPasskeyRequired    = errors.New("only a passkey passes this operation")
)

// NormalizeLoginID folds the spellings of one login ID to one form (NFKC,
// lower case, no surrounding space), so throttling and lockout see one
// account however the ID was typed.
func NormalizeLoginID(s string) string {
	s = norm.NFKC.String(s)
	s = strings.TrimFunc(s, unicode.IsSpace)
	return strings.ToLower(s)
}
