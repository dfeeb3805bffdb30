package support

import (
	"context"
	"errors"
	"fmt"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Staff log in with a password and then TOTP, which is mandatory: a staff
// member without an authenticator enrols one at the first login. A passkey
// (staff_passkey.go) may stand for both steps, or for TOTP after the
// password; admins can require one.

// StaffTOTPIssuer names the console in authenticator apps.
const StaffTOTPIssuer = "mfadesk console"

// staffTOTPFailures is how many wrong TOTP codes a staff member may enter
// within the password window before the second step is refused.
const staffTOTPFailures = 5

// CheckStaffPassword is the console's first step. Unknown login IDs,
// deactivated accounts, wrong passwords and throttled accounts all return
// ErrBadCredentials; every login ID is counted under its spelling, and
// below the limit each costs the same argon2id work (mfa/password_throttle.go).
// deviceHash is the hash of the browser's device cookie ("" if none): a
// browser that completed a console login as this staff member before is
// not subject to the per-address limit for them (docs/operations.md).
func (s *Service) CheckStaffPassword(ctx context.Context, rawLoginID, password, clientIP, deviceHash string) (*data.Staff, error) {
	loginID := mfa.NormalizeLoginID(rawLoginID)
	// The address's count is shared with the customer site: one address,
	// one budget.
	try := mfa.PasswordTry{AcctKey: "staff-pw:" + loginID, AddrKey: "pw-addr:" + clientIP}
	st, err := s.DB.StaffByLogin(ctx, loginID)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return nil, err
	}
	event := data.AuditEvent{Actor: mfa.QuoteForAudit(loginID), ClientIP: clientIP}
	if st != nil {
		event = StaffEvent(st, clientIP)
		known := false
		if deviceHash != "" {
			if known, err = s.DB.KnownStaffDevice(ctx, st.ID, deviceHash); err != nil {
				return nil, err
			}
		}
		if known {
			try.AddrKey = ""
		}
	}
	hash := ""
	if st != nil && st.Active {
		hash = st.PasswordHash
	}
	err = s.MFA.LoginPassword(ctx, mfa.PasswordAttempt{Try: try, Hash: hash, Password: password, Who: fmt.Sprintf("staff %q", loginID),
		Event: func(outcome string) data.AuditEvent {
			e := event
			e.Action, e.Outcome = "staff.login.password", outcome
			if outcome == "failure" && st != nil && !st.Active {
				e.Outcome = "inactive"
			}
			return withKind(e)
		}})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// RememberStaffDevice records that the staff member completed a console
// login from the browser whose device cookie hashes to deviceHash.
func (s *Service) RememberStaffDevice(ctx context.Context, staffID int64, deviceHash string) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.RememberStaffDevice(ctx, staffID, deviceHash) })
}

func withKind(e data.AuditEvent) data.AuditEvent {
	e.ActorKind = "staff"
	return e
}

// StaffEvent is the start of an audit event done by a staff member: who,
// in which role and organisation, from where.
func StaffEvent(st *data.Staff, clientIP string) data.AuditEvent {
	return data.AuditEvent{ActorKind: "staff", Actor: st.LoginID, StaffID: st.ID, StaffRole: st.Role,
		StaffOrg: st.OrgID, ClientIP: clientIP}
}

// SealStaffTOTPSecret encrypts a TOTP secret for a staff member.
func (s *Service) SealStaffTOTPSecret(staffID int64, secret string) ([]byte, error) {
	return s.Box.Seal([]byte(secret), mfa.StaffAAD(staffID))
}

// BeginStaffEnrolment gives a staff member without an authenticator a new
// pending secret to enrol, unless one is already waiting.
func (s *Service) BeginStaffEnrolment(ctx context.Context, st *data.Staff) error {
	if st.HasTOTP() || len(st.TOTPPendingEnc) > 0 {
		return nil
	}
	secret, err := mfa.NewTOTPSecret()
	if err != nil {
		return err
	}
	sealed, err := s.SealStaffTOTPSecret(st.ID, secret)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.SetStaffTOTPPending(ctx, st.ID, sealed) })
}

// StaffEnrolment returns the pending secret and its otpauth URI, to show
// as a QR code and as text during enrolment.
func (s *Service) StaffEnrolment(st *data.Staff) (secret, uri string, err error) {
	if len(st.TOTPPendingEnc) == 0 {
		return "", "", mfa.ErrNoCode
	}
	plain, err := s.Box.Open(st.TOTPPendingEnc, mfa.StaffAAD(st.ID))
	if err != nil {
		return "", "", fmt.Errorf("open pending totp secret of staff %d: %w", st.ID, err)
	}
	return string(plain), mfa.TOTPURI(StaffTOTPIssuer, st.LoginID, string(plain)), nil
}

// VerifyStaffTOTP checks a staff member's code: against the enrolled
// secret with the replay guard, or, during enrolment, against the pending
// secret, which it then makes the enrolled one. Wrong codes are limited
// per staff member; the outcome and its audit event commit together.
func (s *Service) VerifyStaffTOTP(ctx context.Context, staffID int64, rawCode, clientIP string) error {
	code, ok := mfa.NormalizeCode(rawCode)
	if !ok {
		return mfa.ErrMalformedCode
	}
	key := staffSecondFactorKey(staffID) // shared with the passkey check
	reserved, err := s.reserveStaffSecondFactor(ctx, key)
	if err != nil {
		return err
	}
	var result error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		st, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		event := StaffEvent(st, clientIP)
		event.Action = "staff.login.totp"
		if !st.Active || !reserved {
			result, event.Outcome = mfa.ErrLocked, "refused"
			return tx.Audit(ctx, event)
		}
		if result, err = s.matchStaffTOTP(ctx, tx, st, code); err != nil {
			return err
		}
		if result != nil {
			event.Outcome = "failure" // the reservation stays, as this failure
			return tx.Audit(ctx, event)
		}
		event.Outcome = "success"
		if !st.HasTOTP() {
			event.Outcome = "enrolled"
		}
		if err := tx.ClearThrottle(ctx, key); err != nil {
			return err
		}
		return tx.Audit(ctx, event)
	})
	if err != nil {
		return err
	}
	return result
}

// reserveStaffSecondFactor takes a place for one second-factor try under
// key before the code or passkey is checked, in one conditional statement,
// so parallel tries get at most staffTOTPFailures places a window between
// them. It reports false when none is left.
func (s *Service) reserveStaffSecondFactor(ctx context.Context, key string) (bool, error) {
	return s.DB.ReserveThrottle(ctx, key, staffTOTPFailures, s.DB.Now().Add(-s.Config.PasswordWindow))
}

func (s *Service) matchStaffTOTP(ctx context.Context, tx *data.Tx, st *data.Staff, code string) (result, err error) {
	sealed := st.TOTPSecretEnc
	if !st.HasTOTP() {
		sealed = st.TOTPPendingEnc
	}
	if len(sealed) == 0 {
		return mfa.ErrNoCode, nil
	}
	secret, err := s.Box.Open(sealed, mfa.StaffAAD(st.ID))
	if err != nil {
		return nil, fmt.Errorf("open totp secret of staff %d: %w", st.ID, err)
	}
	step, ok := mfa.MatchTOTP(string(secret), code, tx.Now(), st.TOTPLastStep)
	if !ok {
		return mfa.ErrWrongCode, nil
	}
	if !st.HasTOTP() {
		return nil, tx.ConfirmStaffTOTP(ctx, st.ID, step)
	}
	advanced, err := tx.AdvanceStaffTOTPStep(ctx, st.ID, step)
	if err != nil || !advanced {
		return mfa.ErrWrongCode, err
	}
	return nil, nil
}
