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
func (s *Service) beginDiscoverableLogin(ctx context.Context, sessionHash, kind string) ([]byte, error) {
	assertion, sd, err := s.WebAuthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin passkey login (%s): %w", kind, err)
	}
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
