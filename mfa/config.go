// Package mfa holds the rules of authentication: passwords, TOTP with its
// replay guard, one-time codes, lockout and the enforcement policy. It
// knows nothing of HTTP, nor of the support desk (package support, which
// builds on it).
package mfa

import (
	"time"

	"mfadesk/jst"
)

// Config is every limit and date of the programme; DefaultConfig gives
// the values of docs/design.md §2. A zero date means the phase is off.
type Config struct {
	LoginMFAFrom          time.Time
	EmailRequiredFrom     time.Time
	PhishingResistantFrom time.Time
	InterimMethodsUntil   time.Time

	CodeTTL         time.Duration // validity of an SMS or email code
	CodeMaxAttempts int           // wrong tries per code before it is void
	ResendCooldown  time.Duration
	SendsPerHour    int // codes sent to one account per hour

	// StepUpWindow is how recent a second factor must be for an
	// operation that asks for one (5 minutes by default).
	StepUpWindow time.Duration
	// WithdrawalHold is how long withdrawals are held after a contact
	// change or a support reset.
	WithdrawalHold time.Duration

	// PasskeyPostpones is how many times a customer may answer 「あとで」
	// to the passkey prompt of the phishing-resistant phase.
	PasskeyPostpones int

	LockThreshold int           // consecutive second-factor failures that lock
	LockDuration  time.Duration // how long the lock lasts
	FailureWindow time.Duration // failures older than this do not count

	PasswordFailuresPerAccount int
	PasswordFailuresPerAddress int
	PasswordWindow             time.Duration

	// TempPassTTL is how long a temporary access pass issued by support
	// stays valid (one use, 60 minutes by default).
	TempPassTTL time.Duration
	// PasswordSetTTL is how long a password-setting code issued by
	// support stays valid (one use, 30 minutes).
	PasswordSetTTL time.Duration
	// ApprovalTTL is how long a four-eyes request waits for a decision
	// before it expires.
	ApprovalTTL time.Duration
	// ApprovalActions (reset, contact, password) become pending requests for a
	// supervisor when a staff member of one of ApprovalRoles does them.
	// Partners always need approval, whatever these say (docs/design.md §3).
	ApprovalActions []string
	ApprovalRoles   []string
	// OutreachInterval is the time between two registration reminders of
	// one outreach run: the outbox holds each back until its turn.
	OutreachInterval time.Duration

	Argon2 Argon2Params
	// HashConcurrency bounds argon2id checks running at once (default:
	// one less than the CPUs, at least 1); the checks waiting for a slot
	// are at most what the slots get through in HashWait, and a check past
	// that is refused with ErrBusy at once (hash_limit.go).
	HashConcurrency int
	HashWait        time.Duration
}

// DefaultConfig returns the programme's defaults.
func DefaultConfig() Config {
	return Config{
		LoginMFAFrom:      time.Date(2025, 5, 30, 0, 0, 0, 0, jst.Zone),
		EmailRequiredFrom: time.Date(2025, 7, 4, 0, 0, 0, 0, jst.Zone),

		CodeTTL:         5 * time.Minute,
		CodeMaxAttempts: 5,
		ResendCooldown:  60 * time.Second,
		SendsPerHour:    5,

		StepUpWindow:   5 * time.Minute,
		WithdrawalHold: 72 * time.Hour,

		PasskeyPostpones: 3,

		LockThreshold: 10,
		LockDuration:  30 * time.Minute,
		FailureWindow: time.Hour,

		PasswordFailuresPerAccount: 5,
		PasswordFailuresPerAddress: 50,
		PasswordWindow:             15 * time.Minute,

		TempPassTTL:     60 * time.Minute,
		PasswordSetTTL:  30 * time.Minute,
		ApprovalTTL:     24 * time.Hour,
		ApprovalActions: []string{"reset", "contact", "password"},
		ApprovalRoles:   []string{"agent", "partner"},

		OutreachInterval: time.Second,

		Argon2:          DefaultArgon2(),
		HashConcurrency: DefaultHashConcurrency(),
		HashWait:        2 * time.Second,
	}
}

// PasskeyOnlyForAll reports whether the interim methods have ended at now:
// from then only a passkey passes login, for every customer, so nothing
// else issued for login (a temporary pass) could be used.
func (c Config) PasskeyOnlyForAll(now time.Time) bool {
	return active(c.InterimMethodsUntil, now)
}

// active reports whether a phase that starts at from is in force at now.
func active(from, now time.Time) bool {
	return !from.IsZero() && !now.Before(from)
}
