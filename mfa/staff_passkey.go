package mfa

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
)

// Staff passkeys (issue 7, console half): a passkey with user verification
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
// never take part (SECURITY 40).
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
	exclude := make([]protocol.CredentialDescriptor, 0, len(keys))
	for _, k := range keys {
		exclude = append(exclude, protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: k.CredentialID})
	}
	creation, sd, err := s.WebAuthn.BeginRegistration(user,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, fmt.Errorf("begin staff passkey registration: %w", err)
	}
	if err := s.saveCeremony(ctx, sessionHash, ceremonyStaffRegister, sd); err != nil {
		return nil, err
	}
	return json.Marshal(creation)
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
	if err := s.recheckStaffPassword(ctx, in.Staff, in.Password, in.ClientIP); err != nil {
		return err
	}
	if !in.Fresh {
		if err := s.VerifyStaffTOTP(ctx, in.Staff.ID, in.TOTPCode, in.ClientIP); err != nil {
			return err
		}
	}
	sd, err := s.takeCeremony(ctx, in.SessionHash, ceremonyStaffRegister)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(in.Response)
	if err != nil {
		return ErrPasskeyInvalid
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
		return ErrPasskeyInvalid
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
		e.Detail = fmt.Sprintf("passkey=%d name=%s", id, quoteForAudit(in.Name))
		return tx.Audit(ctx, e)
	})
}

// recheckStaffPassword confirms the logged-in staff member's password,
// counting failures under the same key as the login's password step.
func (s *Service) recheckStaffPassword(ctx context.Context, st *data.Staff, password, clientIP string) error {
	since := s.DB.Now().Add(-s.Config.PasswordWindow)
	key := "staff-pw:" + st.LoginID
	failures, err := s.DB.ThrottleFailures(ctx, key, since)
	if err != nil {
		return err
	}
	ok := false
	if failures >= s.Config.PasswordFailuresPerAccount {
		err = s.dummyCheckPassword(ctx, password)
	} else {
		ok, err = s.checkPassword(ctx, st.PasswordHash, password)
	}
	if err != nil {
		return fmt.Errorf("recheck password of staff %d: %w", st.ID, err)
	}
	if ok {
		return nil
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.AddThrottleFailure(ctx, key, since); err != nil {
			return err
		}
		e := StaffEvent(st, clientIP)
		e.Action, e.Outcome = "staff.passkey.add", "bad_password"
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
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

// BeginStaffPasskeyLogin returns options for a console login with a
// passkey alone: no staff ID typed, no allowCredentials, so the options
// reveal no account (SECURITY 41).
func (s *Service) BeginStaffPasskeyLogin(ctx context.Context, sessionHash string) ([]byte, error) {
	assertion, sd, err := s.WebAuthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin staff passkey login: %w", err)
	}
	if err := s.saveCeremony(ctx, sessionHash, ceremonyStaffLogin, sd); err != nil {
		return nil, err
	}
	return json.Marshal(assertion)
}

// FinishStaffPasskeyLogin checks a discoverable assertion and returns the
// staff member whose passkey it is. Only staff user handles are looked
// up: a customer's passkey finds nobody here.
func (s *Service) FinishStaffPasskeyLogin(ctx context.Context, sessionHash string, response []byte, clientIP string) (*data.Staff, error) {
	sd, err := s.takeCeremony(ctx, sessionHash, ceremonyStaffLogin)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, ErrPasskeyInvalid
	}
	var user *staffPasskeyUser
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		st, err := s.DB.StaffByWebAuthnUserID(ctx, userHandle)
		if err != nil {
			return nil, err
		}
		user, err = s.loadStaffPasskeyUser(ctx, st, userHandle)
		return user, err
	}
	_, cred, verr := s.WebAuthn.ValidatePasskeyLogin(handler, sd, parsed)
	if user == nil {
		// Unknown credential (a customer's passkey, a removed one): nothing
		// to count against; the attempt is still on the trail.
		e := data.AuditEvent{ActorKind: "staff", Actor: "unknown", ClientIP: clientIP,
			Action: "staff.login.passkey", Outcome: "unknown_credential"}
		if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); err != nil {
			return nil, err
		}
		return nil, ErrPasskeyInvalid
	}
	if err := s.staffPasskeyOutcome(ctx, user, cred, verr, clientIP); err != nil {
		return nil, err
	}
	return user.staff, nil
}

// BeginStaffPasskeyCheck returns options for a passkey as the second step
// after the password, listing only this staff member's passkeys.
func (s *Service) BeginStaffPasskeyCheck(ctx context.Context, st *data.Staff, sessionHash string) ([]byte, error) {
	handle, err := s.DB.StaffWebAuthnUserIDOf(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	user, err := s.loadStaffPasskeyUser(ctx, st, handle)
	if err != nil {
		return nil, err
	}
	if len(user.creds) == 0 {
		return nil, ErrMethodNotAllowed
	}
	assertion, sd, err := s.WebAuthn.BeginLogin(user, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin staff passkey check: %w", err)
	}
	if err := s.saveCeremony(ctx, sessionHash, ceremonyStaffCheck, sd); err != nil {
		return nil, err
	}
	return json.Marshal(assertion)
}

// FinishStaffPasskeyCheck checks the passkey given as the second step.
// The library checks the session's user, the credential list and the
// user handle, so only this staff member's passkeys pass.
func (s *Service) FinishStaffPasskeyCheck(ctx context.Context, st *data.Staff, sessionHash string, response []byte, clientIP string) error {
	sd, err := s.takeCeremony(ctx, sessionHash, ceremonyStaffCheck)
	if err != nil {
		return err
	}
	handle, err := s.DB.StaffWebAuthnUserIDOf(ctx, st.ID)
	if err != nil {
		return err
	}
	user, err := s.loadStaffPasskeyUser(ctx, st, handle)
	if err != nil {
		return err
	}
	var cred *webauthn.Credential
	parsed, verr := protocol.ParseCredentialRequestResponseBytes(response)
	if verr == nil {
		cred, verr = s.WebAuthn.ValidateLogin(user, sd, parsed)
	}
	return s.staffPasskeyOutcome(ctx, user, cred, verr, clientIP)
}

// staffPasskeyOutcome settles a staff passkey assertion in one
// transaction with its audit event: failures count toward the second
// step's lock (shared with TOTP); a counter that went backwards marks the
// passkey cloned and refuses it; a success records the new counter once.
func (s *Service) staffPasskeyOutcome(ctx context.Context, user *staffPasskeyUser, cred *webauthn.Credential, verr error, clientIP string) error {
	since := s.DB.Now().Add(-s.Config.PasswordWindow)
	throttle := staffSecondFactorKey(user.staff.ID)
	failures, err := s.DB.ThrottleFailures(ctx, throttle, since)
	if err != nil {
		return err
	}
	var result error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		st, err := tx.StaffByID(ctx, user.staff.ID)
		if err != nil {
			return err
		}
		e := StaffEvent(st, clientIP)
		e.Action = "staff.login.passkey"
		switch {
		case !st.Active:
			result, e.Outcome = ErrPasskeyInvalid, "inactive"
			return tx.Audit(ctx, e)
		case failures >= staffTOTPFailures:
			result, e.Outcome = ErrLocked, "refused"
			return tx.Audit(ctx, e)
		}
		if result, err = s.useStaffPasskey(ctx, tx, user, cred, verr); err != nil {
			return err
		}
		if key := passkeyOf(user, cred); key != nil {
			e.Detail = fmt.Sprintf("passkey=%d", key.ID)
		}
		switch {
		case errors.Is(result, ErrPasskeyCloned):
			e.Outcome = "cloned"
		case result != nil:
			e.Outcome = "failure"
			if err := tx.AddThrottleFailure(ctx, throttle, since); err != nil {
				return err
			}
		default:
			e.Outcome = "success"
			if err := tx.ClearThrottle(ctx, throttle); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return err
	}
	return result
}

func passkeyOf(user *staffPasskeyUser, cred *webauthn.Credential) *data.StaffPasskey {
	if cred == nil {
		return nil
	}
	return user.key(cred.ID)
}

func (s *Service) useStaffPasskey(ctx context.Context, tx *data.Tx, user *staffPasskeyUser, cred *webauthn.Credential, verr error) (error, error) {
	if verr != nil || cred == nil {
		return ErrPasskeyInvalid, nil
	}
	key := user.key(cred.ID)
	if key == nil || key.StaffID != user.staff.ID {
		return ErrPasskeyInvalid, nil
	}
	if cred.Authenticator.CloneWarning {
		return ErrPasskeyCloned, tx.MarkStaffPasskeyCloned(ctx, key.ID)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	used, err := tx.StaffPasskeyUsed(ctx, key.ID, key.SignCount, cred.Authenticator.SignCount, string(record))
	if err != nil {
		return nil, err
	}
	if !used {
		return ErrPasskeyInvalid, nil
	}
	return nil, nil
}

// StaffPasskeysRequired reports whether admins require passkeys for staff.
func (s *Service) StaffPasskeysRequired(ctx context.Context) (bool, error) {
	return s.DB.StaffPasskeysRequired(ctx)
}

// SetStaffPasskeysRequired turns the requirement on or off, audited with
// the value before and after.
func (s *Service) SetStaffPasskeysRequired(ctx context.Context, actor *data.Staff, clientIP string, on bool) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		before, err := tx.StaffPasskeysRequired(ctx)
		if err != nil {
			return err
		}
		if err := tx.SetStaffPasskeysRequired(ctx, on); err != nil {
			return err
		}
		e := StaffEvent(actor, clientIP)
		e.Action, e.Outcome = "console.setting", "success"
		e.Detail = fmt.Sprintf("%s=%t->%t", data.SettingRequireStaffPasskeys, before, on)
		return tx.Audit(ctx, e)
	})
}
