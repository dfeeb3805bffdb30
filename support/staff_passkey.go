package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Staff passkeys (docs/design.md §3): a passkey with user verification
// logs a staff member in alone, or stands for TOTP after the password.
// They live in their own table with their own user handles, so a staff
// credential never opens the customer site nor a customer's the console.

// Ceremony kinds of the console, distinct from the customer site's.
const (
	ceremonyStaffRegister = "staff_register"
	ceremonyStaffLogin    = "staff_login"
	ceremonyStaffCheck    = "staff_check"
)

// StaffFreshWindow is how recently a staff session must have passed its
// second factor to register a passkey without typing a TOTP code again.
const StaffFreshWindow = 5 * time.Minute

// staffSecondFactorKey is the throttle key of a staff member's second
// step: TOTP and passkey failures share it, so both lock together.
func staffSecondFactorKey(staffID int64) string {
	return "staff-totp:" + strconv.FormatInt(staffID, 10)
}

// staffPasskeyUser is a staff member as the WebAuthn library sees them.
type staffPasskeyUser struct {
	handle []byte
	staff  *data.Staff
	keys   []data.StaffPasskey
	creds  []webauthn.Credential
}

func (u *staffPasskeyUser) WebAuthnID() []byte                         { return u.handle }
func (u *staffPasskeyUser) WebAuthnName() string                       { return u.staff.LoginID }
func (u *staffPasskeyUser) WebAuthnDisplayName() string                { return u.staff.Name }
func (u *staffPasskeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (u *staffPasskeyUser) key(credentialID []byte) *data.StaffPasskey {
	for i := range u.keys {
		if string(u.keys[i].CredentialID) == string(credentialID) {
			return &u.keys[i]
		}
	}
	return nil
}

// loadStaffPasskeyUser reads the staff member's passkeys; cloned ones
// never take part (docs/security.md S40).
func (s *Service) loadStaffPasskeyUser(ctx context.Context, st *data.Staff, handle []byte) (*staffPasskeyUser, error) {
	keys, err := s.DB.StaffPasskeysOf(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	u := &staffPasskeyUser{handle: handle, staff: st}
	for _, k := range keys {
		if k.Cloned {
			continue
		}
		var cred webauthn.Credential
		if err := json.Unmarshal([]byte(k.CredentialJSON), &cred); err != nil {
			return nil, fmt.Errorf("staff passkey %d: %w", k.ID, err)
		}
		u.keys, u.creds = append(u.keys, k), append(u.creds, cred)
	}
	return u, nil
}

// StaffHasPasskey reports whether the staff member has a usable passkey.
func (s *Service) StaffHasPasskey(ctx context.Context, staffID int64) (bool, error) {
	keys, err := s.DB.StaffPasskeysOf(ctx, staffID)
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		if !k.Cloned {
			return true, nil
		}
	}
	return false, nil
}

// BeginStaffPasskeyRegistration returns the options for
// navigator.credentials.create: discoverable, user verification required,
// the staff member's existing passkeys excluded.
func (s *Service) BeginStaffPasskeyRegistration(ctx context.Context, st *data.Staff, sessionHash string) ([]byte, error) {
	var handle []byte
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		handle, err = tx.StaffWebAuthnUserID(ctx, st.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	user, err := s.loadStaffPasskeyUser(ctx, st, handle)
	if err != nil {
		return nil, err
	}
	keys, err := s.DB.StaffPasskeysOf(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	registered := make([][]byte, 0, len(keys))
	for _, k := range keys {
		registered = append(registered, k.CredentialID)
	}
	return s.MFA.BeginRegistration(ctx, user, registered, sessionHash, ceremonyStaffRegister)
}

// StaffPasskeyRegistration is the browser's answer to a registration with
// the name the staff member gave it, their password and, unless the
// session passed its second factor within StaffFreshWindow, a TOTP code.
type StaffPasskeyRegistration struct {
	Staff       *data.Staff
	SessionHash string
	Name        string
	Password    string
	Fresh       bool
	TOTPCode    string
	Response    []byte
	ClientIP    string
}

// FinishStaffPasskeyRegistration checks the password (throttled like the
// login's), the TOTP code when the session is not fresh, then the
// attestation, and stores the passkey with its audit event.
func (s *Service) FinishStaffPasskeyRegistration(ctx context.Context, in StaffPasskeyRegistration) error {
	if err := s.recheckStaffPassword(ctx, in.Staff, in.Password, in.ClientIP, "staff.passkey.add"); err != nil {
		return err
	}
	if !in.Fresh {
		if err := s.VerifyStaffTOTP(ctx, in.Staff.ID, in.TOTPCode, in.ClientIP); err != nil {
			return err
		}
	}
	sd, err := s.MFA.TakeCeremony(ctx, in.SessionHash, ceremonyStaffRegister)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(in.Response)
	if err != nil {
		return mfa.ErrPasskeyInvalid
	}
	user, err := s.loadStaffPasskeyUser(ctx, in.Staff, sd.UserID)
	if err != nil {
		return err
	}
	cred, err := s.WebAuthn.CreateCredential(user, sd, parsed)
	if err != nil {
		e := StaffEvent(in.Staff, in.ClientIP)
		e.Action, e.Outcome = "staff.passkey.add", "invalid"
		if aerr := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); aerr != nil {
			return aerr
		}
		return mfa.ErrPasskeyInvalid
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		id, err := tx.CreateStaffPasskey(ctx, &data.StaffPasskey{StaffID: in.Staff.ID, CredentialID: cred.ID,
			CredentialJSON: string(record), Name: in.Name, SignCount: cred.Authenticator.SignCount})
		if err != nil {
			return err
		}
		e := StaffEvent(in.Staff, in.ClientIP)
		e.Action, e.Outcome = "staff.passkey.add", "success"
		e.Detail = fmt.Sprintf("passkey=%d name=%s", id, mfa.QuoteForAudit(in.Name))
		return tx.Audit(ctx, e)
	})
}

// recheckStaffPassword confirms the logged-in staff member's password,
// counting failures under the same key as the login's password step and
// reserving the try before hashing like it (mfa/password_throttle.go).
// A refusal is audited under action.
func (s *Service) recheckStaffPassword(ctx context.Context, st *data.Staff, password, clientIP, action string) error {
	try := mfa.PasswordTry{AcctKey: "staff-pw:" + st.LoginID}
	e := StaffEvent(st, clientIP)
	e.Action, e.Outcome = action, "bad_password"
	switch err := s.MFA.ReservePasswordTry(ctx, try); {
	case errors.Is(err, mfa.ErrAccountThrottled):
		e.Outcome = "throttled"
		if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); err != nil {
			return err
		}
		return mfa.ErrBadCredentials
	case err != nil:
		return err
	}
	ok, err := s.MFA.CheckPasswordHash(ctx, st.PasswordHash, password)
	if err != nil {
		return s.MFA.GiveBackPasswordTry(ctx, try, fmt.Errorf("recheck password of staff %d: %w", st.ID, err))
	}
	if ok {
		return s.DB.InTx(ctx, func(tx *data.Tx) error { return try.Succeeded(ctx, tx) })
	}
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return mfa.ErrBadCredentials
}

// RemoveStaffPasskey removes one of the staff member's own passkeys.
func (s *Service) RemoveStaffPasskey(ctx context.Context, st *data.Staff, id int64, clientIP string) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.DeleteStaffPasskey(ctx, st.ID, id); err != nil {
			return err
		}
		e := StaffEvent(st, clientIP)
		e.Action, e.Outcome, e.Detail = "staff.passkey.remove", "success", fmt.Sprintf("passkey=%d", id)
		return tx.Audit(ctx, e)
	})
}
