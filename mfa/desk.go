package mfa

import (
	"context"

	"github.com/go-webauthn/webauthn/webauthn"

	"mfadesk/data"
)

// What the support desk (package support) uses of the customer side's
// machinery: the shared second-factor lock, the password throttle, the
// bounded argon2id work, the passkey ceremonies and the contact change.
// The rules stay here, where the customer's own flows use them; these
// only open them to the desk.

// Attempt runs one second-factor attempt under the customer's shared lock
// (see attempt): check says whether it passed, onSuccess runs in the same
// transaction when it did.
func (s *Service) Attempt(ctx context.Context, in VerifyInput, check func(*data.Tx, *data.Customer) (result, err error),
	onSuccess func(*data.Tx, *data.Customer) error) error {
	return s.attempt(ctx, in, check, onSuccess)
}

// CheckChallenge checks code against the customer's open challenge for
// in.Purpose, within tx.
func (s *Service) CheckChallenge(ctx context.Context, tx *data.Tx, c *data.Customer, in VerifyInput, code string) (result, err error) {
	return s.checkChallenge(ctx, tx, c, in, code)
}

// ApplyContactChange sets a verified e-mail address or phone number
// within tx, with its hold, notices and audit event (account.go).
func (s *Service) ApplyContactChange(ctx context.Context, tx *data.Tx, c *data.Customer, kind, newValue, keepSession string, actor data.AuditEvent) error {
	return s.applyContactChange(ctx, tx, c, kind, newValue, keepSession, actor)
}

// NewHashedCode makes a one-time code and the keyed hash stored in its place.
func (s *Service) NewHashedCode() (code, hash string, err error) { return s.newHashedCode() }

// Reason is the short outcome word of a verification error, for audit events.
func Reason(err error) string { return reason(err) }

// NewTempPass returns a fresh temporary access pass like "K7M2-PX9Q-AT4R".
func NewTempPass() (string, error) { return newTempPass() }

// QuoteForAudit escapes and bounds typed input before it goes into the
// audit trail.
func QuoteForAudit(s string) string { return quoteForAudit(s) }

// BeginRegistration, BeginDiscoverableLogin, BeginCheck and TakeCeremony
// are the passkey ceremonies both sites share (passkey_ceremony.go).
func (s *Service) BeginRegistration(ctx context.Context, user webauthn.User, registered [][]byte, sessionHash, kind string) ([]byte, error) {
	return s.beginRegistration(ctx, user, registered, sessionHash, kind)
}

func (s *Service) BeginDiscoverableLogin(ctx context.Context, sessionHash, kind string) ([]byte, error) {
	return s.beginDiscoverableLogin(ctx, sessionHash, kind, nil)
}

func (s *Service) BeginCheck(ctx context.Context, user webauthn.User, sessionHash, kind string) ([]byte, error) {
	return s.beginCheck(ctx, user, sessionHash, kind)
}

func (s *Service) TakeCeremony(ctx context.Context, sessionHash, kind string) (webauthn.SessionData, error) {
	return s.takeCeremony(ctx, sessionHash, kind)
}

// PasswordTry is one password try, limited per account (AcctKey) and,
// unless AddrKey is "", per client address (password_throttle.go).
type PasswordTry struct{ AcctKey, AddrKey string }

func (t PasswordTry) try() passwordTry { return passwordTry{acctKey: t.AcctKey, addrKey: t.AddrKey} }

// ErrAccountThrottled is a try refused by the per-account limit; callers
// answer it like a wrong password.
var ErrAccountThrottled = errAccountThrottled

// ReservePasswordTry takes the try's places before any hashing; it
// returns ErrAddressThrottled or ErrAccountThrottled when one is full.
func (s *Service) ReservePasswordTry(ctx context.Context, t PasswordTry) error {
	return s.reserve(ctx, t.try())
}

// Succeeded settles a try whose password was right, within tx.
func (t PasswordTry) Succeeded(ctx context.Context, tx *data.Tx) error {
	return t.try().succeeded(ctx, tx)
}

// GiveBackPasswordTry returns the places of a try whose password was not
// looked at; it returns cause, or the error of giving back.
func (s *Service) GiveBackPasswordTry(ctx context.Context, t PasswordTry, cause error) error {
	return s.unchecked(ctx, t.try(), cause)
}

// CheckPasswordHash checks password against an argon2id hash, within the
// bound on concurrent hashing (ErrBusy when no slot comes free).
func (s *Service) CheckPasswordHash(ctx context.Context, encoded, password string) (bool, error) {
	return s.checkPassword(ctx, encoded, password)
}

// HashNewPassword hashes a password being set, within the same bound.
func (s *Service) HashNewPassword(ctx context.Context, password string) (string, error) {
	return s.hashPassword(ctx, password)
}

// PasswordAttempt is one password check at the console's login form: the
// same rule as the customer's (loginPassword), with the staff member's
// audit events. Hash is "" for an unknown or inactive account.
type PasswordAttempt struct {
	Try            PasswordTry
	Hash, Password string
	Who            string                               // names the account in errors
	Event          func(outcome string) data.AuditEvent // the audit event of each outcome
}

// LoginPassword runs the password rule both login forms share; see
// loginPassword.
func (s *Service) LoginPassword(ctx context.Context, a PasswordAttempt) error {
	return s.loginPassword(ctx, passwordAttempt{try: a.Try.try(), hash: a.Hash, password: a.Password, who: a.Who, event: a.Event})
}

// StoredPasskey is a registered passkey as the outcome rule needs it:
// its id, its counter, and how to mark it cloned or record its use.
type StoredPasskey struct {
	ID         int64
	SignCount  uint32
	MarkCloned func(ctx context.Context, id int64) error
	Used       func(ctx context.Context, id int64, oldCount, newCount uint32, credentialJSON string) (bool, error)
}

// PasskeyRule is the outcome of a staff member's assertion, the same as
// a customer's (passkeyRule); key is nil when the passkey is not theirs.
func PasskeyRule(ctx context.Context, key *StoredPasskey, cred *webauthn.Credential, verr error) (refusal, err error) {
	var k *storedPasskey
	if key != nil {
		k = &storedPasskey{id: key.ID, signCount: key.SignCount, markCloned: key.MarkCloned, used: key.Used}
	}
	return passkeyRule(ctx, k, cred, verr)
}
