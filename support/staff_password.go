package support

import (
	"context"
	"errors"
	"fmt"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Staff passwords (docs/operations.md, "Staff accounts"). A password
// someone else chose, the initial one of a new account or an admin's
// temporary one, is replaced by its owner at the next login before any
// other console page; any staff member may change theirs at any time.
//
// An admin may reset another staff member's password and their second
// factor, but never leave one admin knowing the password of an approver
// (supervisor or admin) account that has no second factor: such an admin
// could enrol their own authenticator and approve their own requests,
// which is what the second-admin rule for new approvers prevents. So an
// approver's password is reset only while their authenticator stands,
// and an approver's second factor is not reset while their password is
// still one someone else chose.

// Refusals of the rule above.
var (
	ErrNeedsSecondFactor = errors.New("an approver's password is reset only while their second factor stands")
	ErrTemporaryPassword = errors.New("an approver's second factor is not reset while someone else chose their password")
)

// isApprover reports whether the account decides requests now or will
// once a waiting promotion is confirmed.
func isApprover(st *data.Staff) bool {
	return approverRank(st.Role) > 0 || (st.PendingKind != "" && approverRank(st.PendingRole) > 0)
}

// StaffPasswordChange is a logged-in staff member's new password, with
// the current one (or the initial or temporary one) typed again.
type StaffPasswordChange struct {
	Staff       *data.Staff
	Current     string
	New         string
	SessionHash string // the session making the change; the only one that stays
	ClientIP    string
}

// ChangeStaffPassword checks the current password (throttled like the
// console's login, reserved before hashing) and replaces it with New
// under the customers' password rules. The new hash, the end of the
// forced change, the end of the staff member's other sessions and the
// audit event commit together.
func (s *Service) ChangeStaffPassword(ctx context.Context, in StaffPasswordChange) error {
	st := in.Staff
	if err := mfa.CheckNewPassword(in.New, st.LoginID); err != nil {
		return err
	}
	if err := s.recheckStaffPassword(ctx, st, in.Current, in.ClientIP, "staff.password_change"); err != nil {
		return err
	}
	if in.New == in.Current {
		return mfa.ErrSamePassword
	}
	hash, err := s.MFA.HashNewPassword(ctx, in.New)
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.ReplaceStaffPassword(ctx, st.ID, st.PasswordHash, hash); err != nil {
			return err
		}
		if err := tx.DeleteOtherStaffSessions(ctx, st.ID, in.SessionHash); err != nil {
			return err
		}
		e := StaffEvent(st, in.ClientIP)
		e.Action, e.Outcome = "staff.password_change", "success"
		e.Detail = fmt.Sprintf("forced=%v", st.MustChangePassword)
		return tx.Audit(ctx, e)
	})
	if errors.Is(err, data.ErrConflict) {
		// Changed by another request since it was read: what was typed as
		// the current password is no longer current.
		return mfa.ErrBadCredentials
	}
	return err
}

// ResetStaffPassword gives another staff member a temporary password,
// which it returns to be shown once: it must be replaced at their next
// login, and every session of theirs ends. The change and its audit
// event commit together; a refusal is audited.
func (s *Service) ResetStaffPassword(ctx context.Context, actor *data.Staff, clientIP string, staffID int64) (string, error) {
	if actor.ID == staffID {
		return "", ErrOwnAccount
	}
	return s.resetStaffPassword(ctx, staffID, StaffEvent(actor, clientIP), true)
}

// ResetStaffPasswordCLI is the command line's reset, by the operator on
// the server, who is the bootstrap (docs/operations.md): no admin rule.
func (s *Service) ResetStaffPasswordCLI(ctx context.Context, staffID int64) (string, error) {
	return s.resetStaffPassword(ctx, staffID, data.AuditEvent{ActorKind: "system", Actor: "cli"}, false)
}

func (s *Service) resetStaffPassword(ctx context.Context, staffID int64, e data.AuditEvent, approverRule bool) (string, error) {
	password, err := NewInitialPassword()
	if err != nil {
		return "", err
	}
	hash, err := s.MFA.HashNewPassword(ctx, password)
	if err != nil {
		return "", err
	}
	var refusal error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		before, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		e.Action, e.Outcome = "staff.password_reset", "success"
		e.Detail = fmt.Sprintf("staff_id=%d login=%s", staffID, before.LoginID)
		if approverRule && isApprover(before) && !before.HasTOTP() {
			refusal, e.Outcome = ErrNeedsSecondFactor, "refused:no_second_factor"
			return tx.Audit(ctx, e)
		}
		if err := tx.SetStaffTemporaryPassword(ctx, staffID, hash); err != nil {
			return err
		}
		if err := tx.DeleteStaffSessions(ctx, staffID); err != nil {
			return err
		}
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return "", err
	}
	if refusal != nil {
		return "", refusal
	}
	return password, nil
}

// auditStaffRefusal records an admin's refused change and returns refusal.
func (s *Service) auditStaffRefusal(ctx context.Context, actor *data.Staff, clientIP string, staffID int64, action, outcome string, refusal error) error {
	e := StaffEvent(actor, clientIP)
	e.Action, e.Outcome, e.Detail = action, outcome, fmt.Sprintf("staff_id=%d", staffID)
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return refusal
}
