package support

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// Console actions on a customer (docs/design.md §3): reset, temporary pass,
// contact change, unlock, and four-eyes approval. Each runs in one
// transaction with its audit event and its outbox messages. None runs on
// knowledge alone (docs/security.md S31), nobody acts on their own account or
// decides their own request (docs/security.md S33).

// Errors of console actions.
var (
	ErrStrongVerificationRequired = errors.New("a strong identity verification on the case is required")
	ErrBadResetChoice             = errors.New("unknown factor kind to reset")
	ErrBadContact                 = mfa.ErrBadContact
	ErrNotLocked                  = errors.New("the customer's second factor is not locked")
	ErrRequestExpired             = errors.New("the request expired")
	ErrRequestDecided             = errors.New("the request was already decided")
	ErrOwnRequest                 = errors.New("nobody decides their own request")
	ErrNotApprover                = errors.New("only supervisors and admins decide requests")
	ErrReasonRequired             = errors.New("a reason is required")
	ErrNoPassToIssue              = errors.New("no temporary pass waits for this staff member on this case")
	ErrTempPassUnusable           = errors.New("only a passkey passes login now: a temporary pass could not be used")
)

// Console actions that can need a second person's approval.
const (
	ActionReset   = "reset"
	ActionContact = "contact"
)

// ActionResult is what a console action did: it ran, or it waits for
// approval as request RequestID. TempPass is a pass issued by the action,
// to be shown once and never stored in clear.
type ActionResult struct {
	RequestID    int64
	TempPass     string
	PasswordCode string // a password-setting code, shown once like a pass
}

// Pending reports whether the action waits for approval.
func (r ActionResult) Pending() bool { return r.RequestID != 0 }

// NeedsApproval reports whether action by a staff member of role becomes
// a pending request: always for partners (docs/design.md §3), for others as
// configured.
func (s *Service) NeedsApproval(action, role string) bool {
	if role == RolePartner {
		return true
	}
	return slices.Contains(s.Config.ApprovalActions, action) && slices.Contains(s.Config.ApprovalRoles, role)
}

// MayDecide reports whether a role may approve or reject requests.
func MayDecide(role string) bool {
	return role == RoleSupervisor || role == RoleAdmin
}

// checkCaseAction refuses an action on a closed case, or without a strong
// verification on the case that still counts. The refusal is audited.
func (s *Service) checkCaseAction(ctx context.Context, a CaseActor, action string) error {
	if a.Case.Status != CaseOpen {
		return s.refuse(ctx, a, action, "case_closed", ErrCaseClosed)
	}
	strength, err := s.CaseStrength(ctx, a.Case)
	if err != nil {
		return err
	}
	if strength != data.StrengthStrong {
		return s.refuse(ctx, a, action, "needs_strong_verification", ErrStrongVerificationRequired)
	}
	return nil
}

// refuseUnusablePass refuses to issue a temporary pass once only a
// passkey passes login: the customer could not log in with it.
func (s *Service) refuseUnusablePass(ctx context.Context, a CaseActor, action string) error {
	if !s.Config.PasskeyOnlyForAll(s.DB.Now()) {
		return nil
	}
	return s.refuse(ctx, a, action, "temp_pass_unusable", ErrTempPassUnusable)
}

// TempPassUsable reports whether a temporary pass issued now could log a
// customer in, for the case page to offer it or say why not.
func (s *Service) TempPassUsable() bool { return !s.Config.PasskeyOnlyForAll(s.DB.Now()) }

// refuse audits a refused action and returns err.
func (s *Service) refuse(ctx context.Context, a CaseActor, action, why string, err error) error {
	if aerr := s.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, a.event(action, "refused:"+why, ""))
	}); aerr != nil {
		return aerr
	}
	return err
}

// ownAccount reports whether the customer is the staff member's own account.
func ownAccount(ctx context.Context, tx *data.Tx, staffID, customerID int64) (bool, error) {
	own, err := tx.StaffCustomerID(ctx, staffID)
	return own != 0 && own == customerID, err
}

// refuseOwnAccount is checkCaseAction's companion inside the action's
// transaction: it returns ErrOwnAccount when the staff member acts on
// their own account. The caller commits the refusal's audit event.
func refuseOwnAccount(ctx context.Context, tx *data.Tx, a CaseActor, action string) (refusal, err error) {
	own, err := ownAccount(ctx, tx, a.Staff.ID, a.Case.CustomerID)
	if err != nil || !own {
		return nil, err
	}
	return ErrOwnAccount, tx.Audit(ctx, a.event(action, "refused:own_account", ""))
}

// requestEvent is the audit event of a new pending request.
func requestEvent(a CaseActor, action string, id int64, detail string) data.AuditEvent {
	return a.event(action, "requested", "request="+strconv.FormatInt(id, 10)+" "+detail)
}

// UnlockCustomer lifts the lock repeated wrong codes put on the customer's
// second factor, after a strong identity verification on the case (the
// guideline asks to re-verify identity before reopening a locked
// account). The customer is told on every verified contact.
func (s *Service) UnlockCustomer(ctx context.Context, a CaseActor) error {
	if err := s.checkCaseAction(ctx, a, "support.unlock"); err != nil {
		return err
	}
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, "support.unlock"); err != nil || result != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, a.Case.CustomerID)
		if err != nil {
			return err
		}
		if !tx.Now().Before(c.MFALockedUntil) {
			result = ErrNotLocked
			return nil
		}
		if err := tx.SetMFAFailures(ctx, c.ID, 0, time.Time{}, time.Time{}); err != nil {
			return err
		}
		if err := notify.NotifyCustomerForCase(ctx, tx, a.Case.ID, c, notify.UnlockedBySupport(tx.Now())); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("support.unlock", "success",
			"was_locked_until="+c.MFALockedUntil.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return err
	}
	return result
}
