package mfa

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// The ceremony starters both sites use, so customers and staff get the
// same rules: discoverable credentials, user verification required, the
// challenge kept for the session under kind and answered as JSON.

// beginRegistration starts a registration for user, excluding the
// credentials already registered.
func (s *Service) beginRegistration(ctx context.Context, user webauthn.User, registered [][]byte, sessionHash, kind string) ([]byte, error) {
	exclude := make([]protocol.CredentialDescriptor, 0, len(registered))
	for _, id := range registered {
		exclude = append(exclude, protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: id})
	}
	creation, sd, err := s.WebAuthn.BeginRegistration(user,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, fmt.Errorf("begin passkey registration (%s): %w", kind, err)
	}
	return s.keepCeremony(ctx, sessionHash, kind, sd, creation)
}

// beginDiscoverableLogin starts a login with no account named: no
// allowCredentials, so the options reveal no account (docs/security.md S41).
// A user handle in bindTo binds the ceremony on the server alone: it is
// then finished as a check of that user (ValidateLogin compares them),
// while the options stay those of any discoverable login.
func (s *Service) beginDiscoverableLogin(ctx context.Context, sessionHash, kind string, bindTo []byte) ([]byte, error) {
	assertion, sd, err := s.WebAuthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin passkey login (%s): %w", kind, err)
	}
	sd.UserID = bindTo
	return s.keepCeremony(ctx, sessionHash, kind, sd, assertion)
}

// beginCheck starts a passkey check of a known user (second step after a
// password, or a step-up), listing only that user's credentials.
func (s *Service) beginCheck(ctx context.Context, user webauthn.User, sessionHash, kind string) ([]byte, error) {
	if len(user.WebAuthnCredentials()) == 0 {
		return nil, ErrMethodNotAllowed
	}
	assertion, sd, err := s.WebAuthn.BeginLogin(user, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin passkey check (%s): %w", kind, err)
	}
	return s.keepCeremony(ctx, sessionHash, kind, sd, assertion)
}

func (s *Service) keepCeremony(ctx context.Context, sessionHash, kind string, sd *webauthn.SessionData, options any) ([]byte, error) {
	if err := s.saveCeremony(ctx, sessionHash, kind, sd); err != nil {
		return nil, err
	}
	return json.Marshal(options)
}

// storedPasskey is the passkey an assertion named, as the outcome rule
// needs it: customers' and staff passkeys live in separate tables, each
// with its own writes.
type storedPasskey struct {
	id         int64
	signCount  uint32
	markCloned func(ctx context.Context, id int64) error
	used       func(ctx context.Context, id int64, oldCount, newCount uint32, credentialJSON string) (bool, error)
}

// passkeyRule is the outcome of an assertion, the same for customers and
// staff. A failed validation, or a passkey that is not the account's
// (key nil), is ErrPasskeyInvalid; a counter that went backwards marks the
// passkey cloned and refuses it (ErrPasskeyCloned); a success records the
// new counter exactly once, so a second use of the same assertion is
// invalid. The first result is the refusal, the second a failure to
// record it.
func passkeyRule(ctx context.Context, key *storedPasskey, cred *webauthn.Credential, verr error) (refusal, err error) {
	if verr != nil || cred == nil || key == nil {
		return ErrPasskeyInvalid, nil
	}
	if cred.Authenticator.CloneWarning {
		return ErrPasskeyCloned, key.markCloned(ctx, key.id)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	used, err := key.used(ctx, key.id, key.signCount, cred.Authenticator.SignCount, string(record))
	if err != nil {
		return nil, err
	}
	if !used {
		return ErrPasskeyInvalid, nil
	}
	return nil, nil
}
