package mfa

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"mfadesk/data"
)

// BeginPasskeyLogin returns options for a passkey login with no login ID
// typed: no allowCredentials, so the options reveal no account
// (docs/security.md S41).
func (s *Service) BeginPasskeyLogin(ctx context.Context, sessionHash string) ([]byte, error) {
	return s.beginDiscoverableLogin(ctx, sessionHash, ceremonyLogin, nil)
}

// FinishPasskeyLogin checks a discoverable assertion and returns the
// customer whose passkey it is. The passkey stands for password and
// second factor together, so the shared lock applies as for any factor.
func (s *Service) FinishPasskeyLogin(ctx context.Context, sessionHash string, response []byte, clientIP string) (*data.Customer, error) {
	sd, err := s.takeCeremony(ctx, sessionHash, ceremonyLogin)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, ErrPasskeyInvalid
	}
	var customer *data.Customer
	var user *passkeyUser
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		c, err := s.DB.CustomerByWebAuthnUserID(ctx, userHandle)
		if err != nil {
			return nil, err
		}
		keys, err := s.DB.PasskeysOf(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		customer = c
		user, err = loadPasskeyUser(c, userHandle, keys, UseLogin)
		return user, err
	}
	_, cred, verr := s.WebAuthn.ValidatePasskeyLogin(handler, sd, parsed)
	if customer == nil {
		// Unknown credential: nothing to count against, nothing to reveal.
		return nil, ErrPasskeyInvalid
	}
	in := VerifyInput{Customer: customer, SessionHash: sessionHash, Purpose: PurposeLogin, Use: UseLogin,
		Method: MethodPasskey, ClientIP: clientIP}
	if err := s.attempt(ctx, in, s.passkeyOutcome(ctx, user, cred, verr), nil); err != nil {
		return nil, err
	}
	return customer, nil
}

// BeginPasskeyCheck returns options for using a passkey as the second
// factor of a known customer (after the password, or at a step-up),
// listing only their passkeys for that use.
func (s *Service) BeginPasskeyCheck(ctx context.Context, c *data.Customer, sessionHash, purpose string, use Use) ([]byte, error) {
	keys, err := s.DB.PasskeysOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	handle, err := s.DB.WebAuthnUserIDOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	user, err := loadPasskeyUser(c, handle, keys, use)
	if err != nil {
		return nil, err
	}
	return s.beginCheck(ctx, user, sessionHash, "check:"+purpose)
}

// verifyPasskey checks a passkey assertion as the second factor in
// in.Code (the browser's JSON), against the ceremony begun for in.Purpose.
func (s *Service) verifyPasskey(ctx context.Context, in VerifyInput) error {
	sd, err := s.takeCeremony(ctx, in.SessionHash, "check:"+in.Purpose)
	if err != nil {
		return err
	}
	keys, err := s.DB.PasskeysOf(ctx, in.Customer.ID)
	if err != nil {
		return err
	}
	handle, err := s.DB.WebAuthnUserIDOf(ctx, in.Customer.ID)
	if err != nil {
		return err
	}
	// Only this customer's passkeys for this use can pass: the library
	// checks the session's user, the credential list and the user handle.
	user, err := loadPasskeyUser(in.Customer, handle, keys, in.Use)
	if err != nil {
		return err
	}
	var cred *webauthn.Credential
	parsed, verr := protocol.ParseCredentialRequestResponseBytes([]byte(in.Code))
	if verr == nil {
		cred, verr = s.WebAuthn.ValidateLogin(user, sd, parsed)
	}
	return s.attempt(ctx, in, s.passkeyOutcome(ctx, user, cred, verr), nil)
}

// passkeyOutcome is the check for attempt: passkeyRule, and a passkey
// found cloned is on the audit trail.
func (s *Service) passkeyOutcome(ctx context.Context, user *passkeyUser, cred *webauthn.Credential, verr error) func(*data.Tx, *data.Customer) (refusal, err error) {
	return func(tx *data.Tx, c *data.Customer) (refusal, err error) {
		var key *storedPasskey
		if cred != nil && user != nil {
			if k := user.key(cred.ID); k != nil && k.CustomerID == c.ID {
				key = &storedPasskey{id: k.ID, signCount: k.SignCount, markCloned: tx.MarkPasskeyCloned, used: tx.PasskeyUsed}
			}
		}
		result, err := passkeyRule(ctx, key, cred, verr)
		if err != nil || !errors.Is(result, ErrPasskeyCloned) {
			return result, err
		}
		return result, tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "mfa", CustomerID: c.ID,
			Action: "passkey.cloned", Outcome: "refused", Detail: fmt.Sprintf("passkey=%d", key.id)})
	}
}

func (u *passkeyUser) key(credentialID []byte) *data.Passkey {
	for i := range u.keys {
		if string(u.keys[i].CredentialID) == string(credentialID) {
			return &u.keys[i]
		}
	}
	return nil
}
