package support

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"mfadesk/data"
	"mfadesk/mfa"
)

// BeginStaffPasskeyLogin returns options for a console login with a
// passkey alone: no staff ID typed, no allowCredentials, so the options
// reveal no account (docs/security.md S41).
func (s *Service) BeginStaffPasskeyLogin(ctx context.Context, sessionHash string) ([]byte, error) {
	return s.MFA.BeginDiscoverableLogin(ctx, sessionHash, ceremonyStaffLogin)
}

// FinishStaffPasskeyLogin checks a discoverable assertion and returns the
// staff member whose passkey it is. Only staff user handles are looked
// up: a customer's passkey finds nobody here.
func (s *Service) FinishStaffPasskeyLogin(ctx context.Context, sessionHash string, response []byte, clientIP string) (*data.Staff, error) {
	sd, err := s.MFA.TakeCeremony(ctx, sessionHash, ceremonyStaffLogin)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, mfa.ErrPasskeyInvalid
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
		return nil, mfa.ErrPasskeyInvalid
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
	return s.MFA.BeginCheck(ctx, user, sessionHash, ceremonyStaffCheck)
}

// FinishStaffPasskeyCheck checks the passkey given as the second step.
// The library checks the session's user, the credential list and the
// user handle, so only this staff member's passkeys pass.
func (s *Service) FinishStaffPasskeyCheck(ctx context.Context, st *data.Staff, sessionHash string, response []byte, clientIP string) error {
	sd, err := s.MFA.TakeCeremony(ctx, sessionHash, ceremonyStaffCheck)
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
	throttle := staffSecondFactorKey(user.staff.ID)
	reserved, err := s.reserveStaffSecondFactor(ctx, throttle)
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
			result, e.Outcome = mfa.ErrPasskeyInvalid, "inactive"
			return tx.Audit(ctx, e)
		case !reserved:
			result, e.Outcome = mfa.ErrLocked, "refused"
			return tx.Audit(ctx, e)
		}
		if result, err = s.useStaffPasskey(ctx, tx, user, cred, verr); err != nil {
			return err
		}
		if key := passkeyOf(user, cred); key != nil {
			e.Detail = fmt.Sprintf("passkey=%d", key.ID)
		}
		switch {
		case errors.Is(result, mfa.ErrPasskeyCloned):
			// Refused for the passkey's sake, not a guess: no failure.
			e.Outcome = "cloned"
			if err := tx.RefundThrottle(ctx, throttle); err != nil {
				return err
			}
		case result != nil:
			e.Outcome = "failure" // the reservation stays, as this failure
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

func (s *Service) useStaffPasskey(ctx context.Context, tx *data.Tx, user *staffPasskeyUser, cred *webauthn.Credential, verr error) (refusal, err error) {
	var key *mfa.StoredPasskey
	if k := passkeyOf(user, cred); k != nil && k.StaffID == user.staff.ID {
		key = &mfa.StoredPasskey{ID: k.ID, SignCount: k.SignCount, MarkCloned: tx.MarkStaffPasskeyCloned, Used: tx.StaffPasskeyUsed}
	}
	return mfa.PasskeyRule(ctx, key, cred, verr)
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
