package mfa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"mfadesk/data"
	"mfadesk/notify"
)

// MethodPasskey is a WebAuthn assertion with user verification: the one
// phishing-resistant factor.
const MethodPasskey Method = "passkey"

// Passkey errors.
var (
	ErrPasskeyInvalid = errors.New("passkey assertion or attestation invalid")
	ErrPasskeyCloned  = errors.New("passkey signature counter went backwards")
	ErrNoCeremony     = errors.New("no passkey ceremony in progress")
)

const (
	ceremonyRegister = "register"
	ceremonyLogin    = "login"
	ceremonyTTL      = 5 * time.Minute
)

// NewWebAuthn configures WebAuthn for the public origin: its host is the
// RP ID, and only that origin is accepted.
func NewWebAuthn(origin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	return webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: Issuer, RPOrigins: []string{strings.TrimSuffix(origin, "/")}})
}

// passkeyUser is a customer as the WebAuthn library sees them.
type passkeyUser struct {
	handle  []byte
	name    string
	display string
	keys    []data.Passkey
	creds   []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.handle }
func (u *passkeyUser) WebAuthnName() string                       { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.display }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// loadPasskeyUser reads a customer's passkeys usable for use; cloned ones
// never take part (docs/security.md S40).
func loadPasskeyUser(c *data.Customer, handle []byte, keys []data.Passkey, use Use) (*passkeyUser, error) {
	u := &passkeyUser{handle: handle, name: c.LoginID, display: c.NameKanji}
	for _, k := range keys {
		if k.Cloned || !use.allowsPasskey(&k) {
			continue
		}
		var cred webauthn.Credential
		if err := json.Unmarshal([]byte(k.CredentialJSON), &cred); err != nil {
			return nil, fmt.Errorf("passkey %d: %w", k.ID, err)
		}
		u.keys, u.creds = append(u.keys, k), append(u.creds, cred)
	}
	return u, nil
}

func (u Use) allowsPasskey(k *data.Passkey) bool {
	return u.allows(&data.Factor{UseLogin: k.UseLogin, UseAccount: k.UseAccount, UseWithdrawal: k.UseWithdrawal})
}

func (s *Service) saveCeremony(ctx context.Context, sessionHash, kind string, sd *webauthn.SessionData) error {
	state, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return s.DB.SaveCeremony(ctx, sessionHash, kind, string(state), s.DB.Now().Add(ceremonyTTL))
}

func (s *Service) takeCeremony(ctx context.Context, sessionHash, kind string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	state, err := s.DB.TakeCeremony(ctx, sessionHash, kind)
	if errors.Is(err, data.ErrNotFound) {
		return sd, ErrNoCeremony
	}
	if err != nil {
		return sd, err
	}
	return sd, json.Unmarshal([]byte(state), &sd)
}

// BeginPasskeyRegistration returns the options for navigator.credentials.create:
// a discoverable credential with user verification required, excluding
// the customer's existing passkeys.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, c *data.Customer, sessionHash string) ([]byte, error) {
	var handle []byte
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		handle, err = tx.WebAuthnUserID(ctx, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	keys, err := s.DB.PasskeysOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	user, err := loadPasskeyUser(c, handle, keys, UseAny)
	if err != nil {
		return nil, err
	}
	registered := make([][]byte, 0, len(keys))
	for _, k := range keys {
		registered = append(registered, k.CredentialID)
	}
	return s.beginRegistration(ctx, user, registered, sessionHash, ceremonyRegister)
}

// PasskeyRegistration is the browser's answer to a registration, with
// the name the customer gave it and the trading password.
type PasskeyRegistration struct {
	Customer        *data.Customer
	SessionHash     string
	Name            string
	TradingPassword string
	Response        []byte
	ClientIP        string
	// UseLink, for a registration by the desk's one-use link, uses the
	// link up in the transaction that stores the passkey; the desk's
	// identity check stands in for the trading password then.
	UseLink func(context.Context, *data.Tx) error
}

// FinishPasskeyRegistration checks the attestation (origin, RP ID,
// challenge, user verification) and stores the passkey, used for all
// three services.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, in PasskeyRegistration) error {
	tradingOK := in.UseLink != nil
	if !tradingOK {
		var err error
		if tradingOK, err = s.checkCustomerPassword(ctx, in.Customer.TradingPasswordHash, in.TradingPassword); err != nil {
			return err
		}
	}
	sd, err := s.takeCeremony(ctx, in.SessionHash, ceremonyRegister)
	if err != nil {
		return err
	}
	var cred *webauthn.Credential
	var createErr error
	if tradingOK {
		cred, createErr = s.createCredential(ctx, in.Customer, sd, in.Response)
	}
	attempt := VerifyInput{Customer: in.Customer, SessionHash: in.SessionHash, Purpose: "enrol_passkey", Use: UseAny,
		Method: MethodPasskey, ClientIP: in.ClientIP}
	check := func(*data.Tx, *data.Customer) (refusal, err error) {
		switch {
		case !tradingOK:
			return ErrBadTradingPassword, nil
		case createErr != nil:
			return ErrPasskeyInvalid, nil
		}
		return nil, nil
	}
	store := func(tx *data.Tx, c *data.Customer) error {
		record, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		if _, err := tx.CreatePasskey(ctx, &data.Passkey{CustomerID: c.ID, CredentialID: cred.ID, CredentialJSON: string(record),
			Name: in.Name, SignCount: cred.Authenticator.SignCount, UseLogin: true, UseAccount: true, UseWithdrawal: true}); err != nil {
			return err
		}
		if in.UseLink != nil {
			if err := in.UseLink(ctx, tx); err != nil {
				return err
			}
		}
		return s.finishEnrolment(ctx, tx, c, EnrolInput{Customer: c, SessionHash: in.SessionHash, ClientIP: in.ClientIP,
			Uses: data.Uses{Login: true, Account: true, Withdrawal: true}}, 0, "passkey")
	}
	return s.attempt(ctx, attempt, check, store)
}

func (s *Service) createCredential(ctx context.Context, c *data.Customer, sd webauthn.SessionData, response []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, err
	}
	keys, err := s.DB.PasskeysOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	// The ceremony must have been begun for this customer: a challenge
	// begun for another account registers nothing here.
	handle, err := s.DB.WebAuthnUserIDOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(handle, sd.UserID) {
		return nil, ErrPasskeyInvalid
	}
	user, err := loadPasskeyUser(c, handle, keys, UseAny)
	if err != nil {
		return nil, err
	}
	return s.WebAuthn.CreateCredential(user, sd, parsed)
}

// RemovePasskey removes one of the customer's passkeys.
func (s *Service) RemovePasskey(ctx context.Context, c *data.Customer, id int64, sessionHash, clientIP string) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.DeletePasskey(ctx, c.ID, id); err != nil {
			return err
		}
		if err := notify.NotifyCustomer(ctx, tx, c, notify.FactorRemoved("passkey", tx.Now())); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, c.ID, sessionHash); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
			Action: "factor.remove", Outcome: "success", ClientIP: clientIP, Detail: fmt.Sprintf("kind=passkey passkey=%d", id)})
	})
}
