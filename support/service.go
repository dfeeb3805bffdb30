// Package support holds the rules of the support desk: cases and their
// channels, identity verification, resets, temporary passes, four-eyes
// approvals, console attempt budgets, staff accounts and the staff's own
// login. It knows nothing of HTTP. The customer's factors and login policy
// stay in mfa; the desk reaches them through MFA.
package support

import (
	"github.com/go-webauthn/webauthn/webauthn"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Service applies the desk's rules over the database.
type Service struct {
	DB     *data.DB
	Box    *mfa.SecretBox
	Codes  mfa.CodeHasher
	Config mfa.Config
	// MFA is the customer side, for what a desk action does to a
	// customer's factors and codes.
	MFA *mfa.Service
	// WebAuthn checks staff passkey ceremonies against the configured origin.
	WebAuthn *webauthn.WebAuthn
	// Origin is the customer site's public URL, for the possession link.
	Origin string
	// Letters prints the postal letters; nil without a Japanese font
	// (ErrNoLetterFont, docs/operations.md "Letters").
	Letters *LetterPrinter
}
