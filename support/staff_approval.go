package support

import (
	"context"
	"errors"
	"fmt"

	"mfadesk/data"
)

// Four-eyes for the staff who decide four-eyes requests: an admin who
// creates a supervisor or admin, or promotes someone to one of those
// roles, only asks; a second admin confirms, and until then the new
// account cannot log in and the promotion has no effect. Otherwise one
// admin could make a second account and approve their own requests with
// it. The command line stays the operator's bootstrap (docs/operations.md).

// Errors of staff changes that wait for a second admin, and of links to
// a staff member's own brokerage account.
var (
	ErrNothingPending = errors.New("no staff change waits for confirmation")
	ErrUnknownAccount = errors.New("no customer has this account number")
)

// approverRank orders the roles by what they may decide: admins manage
// staff and decide requests, supervisors decide requests, others neither.
func approverRank(role string) int {
	switch role {
	case RoleAdmin:
		return 2
	case RoleSupervisor:
		return 1
	}
	return 0
}

// NeedsSecondAdmin reports whether giving role to to someone who has role
// from (empty for a new account) needs a second admin's confirmation.
func NeedsSecondAdmin(from, to string) bool {
	return approverRank(to) > approverRank(from)
}

// ConfirmStaffChange carries out the creation or promotion that waits for
// a second admin. The admin who asked for it may not confirm it, nor may
// its subject; a refusal is audited.
func (s *Service) ConfirmStaffChange(ctx context.Context, actor *data.Staff, clientIP string, staffID int64) error {
	return s.decideStaffChange(ctx, actor, clientIP, staffID, true)
}

// CancelStaffChange drops the creation or promotion that waits for a
// second admin; any other admin, or the one who asked, may. A new account
// stays inactive.
func (s *Service) CancelStaffChange(ctx context.Context, actor *data.Staff, clientIP string, staffID int64) error {
	return s.decideStaffChange(ctx, actor, clientIP, staffID, false)
}

func (s *Service) decideStaffChange(ctx context.Context, actor *data.Staff, clientIP string, staffID int64, confirm bool) error {
	if actor.Role != RoleAdmin {
		return ErrNotApprover
	}
	if actor.ID == staffID {
		return ErrOwnAccount
	}
	action := "staff.confirm"
	if !confirm {
		action = "staff.cancel"
	}
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		st, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		if st.PendingKind == "" {
			result = ErrNothingPending
			return nil
		}
		e := StaffEvent(actor, clientIP)
		e.Action, e.Outcome = action, "success"
		e.Detail = fmt.Sprintf("staff_id=%d login=%s kind=%s role=%s org=%s requested_by=%d", st.ID, st.LoginID,
			st.PendingKind, st.PendingRole, st.PendingOrg, st.PendingBy)
		if confirm && st.PendingBy == actor.ID {
			result, e.Outcome = ErrOwnRequest, "refused:own_request"
			return tx.Audit(ctx, e)
		}
		if confirm {
			err = tx.ApplyStaffPending(ctx, staffID)
		} else {
			err = tx.ClearStaffPending(ctx, staffID)
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return err
	}
	return result
}

// LinkStaffCustomer records which brokerage account (by account number;
// empty removes the link) is the staff member's own, so that they cannot
// act on it. actor is who does it: an admin, who may not change their own
// link, or the command line. The link and its audit event commit together.
func (s *Service) LinkStaffCustomer(ctx context.Context, staffID int64, account string, actor data.AuditEvent) error {
	if actor.StaffID == staffID {
		return ErrOwnAccount
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		before, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		customerID, err := customerOfAccount(ctx, tx, account)
		if err != nil {
			return err
		}
		if err := tx.SetStaffCustomer(ctx, staffID, customerID); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.CustomerID = "staff.customer_link", "success", customerID
		if customerID == 0 {
			actor.CustomerID = before.CustomerID
		}
		actor.Detail = fmt.Sprintf("staff_id=%d login=%s customer_id=%d->%d", staffID, before.LoginID,
			before.CustomerID, customerID)
		return tx.Audit(ctx, actor)
	})
}

// customerOfAccount finds the customer of an account number (0 for none given).
func customerOfAccount(ctx context.Context, tx *data.Tx, account string) (int64, error) {
	if account == "" {
		return 0, nil
	}
	c, err := tx.CustomerByAccountNumber(ctx, account)
	if errors.Is(err, data.ErrNotFound) {
		return 0, ErrUnknownAccount
	}
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// IsOwnAccount reports whether the customer is the staff member's own
// brokerage account: they may not open a case on it nor work one.
func IsOwnAccount(st *data.Staff, customerID int64) bool {
	return st.CustomerID != 0 && st.CustomerID == customerID
}
