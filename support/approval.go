package support

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Four-eyes: a reset, contact or address change by a role that needs approval
// waits as a request until a supervisor or admin approves or rejects it,
// within Config.ApprovalTTL. Nobody decides their own request, nor one
// about their own account. Approving runs the action in the approval's
// transaction, with its audit event and outbox messages. The temporary
// pass of an approved reset is not made then: the requester, who is
// talking to the customer, issues it once from the case (IssueApprovedPass),
// so the pass is never stored in clear while it waits, and its 60 minutes
// start when the customer can use them.

// Decision is a supervisor's or admin's decision on a request.
type Decision struct {
	Staff     *data.Staff
	ClientIP  string
	RequestID int64
	Approve   bool
	Reason    string // required to reject
}

func (d Decision) event(r *data.ActionRequest, action, outcome string) data.AuditEvent {
	e := StaffEvent(d.Staff, d.ClientIP)
	e.CustomerID, e.CaseID, e.Action, e.Outcome = r.CustomerID, r.CaseID, action, outcome
	e.Detail = "request=" + strconv.FormatInt(r.ID, 10) + " kind=" + r.Kind +
		" requested_by=" + strconv.FormatInt(r.RequestedBy, 10)
	return e
}

// Decide approves or rejects a pending request. An expired request is
// marked expired (and audited) instead, and ErrRequestExpired returned.
func (s *Service) Decide(ctx context.Context, d Decision) error {
	if !MayDecide(d.Staff.Role) {
		return ErrNotApprover
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if !d.Approve && (d.Reason == "" || utf8.RuneCountInString(d.Reason) > 500) {
		return ErrReasonRequired
	}
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		r, err := tx.RequestByID(ctx, d.RequestID)
		if err != nil {
			return err
		}
		if result, err = s.refuseDecision(ctx, tx, d, r); err != nil || result != nil {
			return err
		}
		if !d.Approve {
			if err := tx.DecideRequest(ctx, r.ID, data.RequestRejected, d.Staff.ID, d.Reason); err != nil {
				return err
			}
			e := d.event(r, "request.reject", "success")
			e.Detail += " reason=" + mfa.QuoteForAudit(d.Reason)
			return tx.Audit(ctx, e)
		}
		if err := tx.DecideRequest(ctx, r.ID, data.RequestApproved, d.Staff.ID, d.Reason); err != nil {
			return err
		}
		if err := tx.Audit(ctx, d.event(r, "request.approve", "success")); err != nil {
			return err
		}
		return s.runApproved(ctx, tx, d, r)
	})
	if err != nil {
		return err
	}
	return result
}

// refuseDecision returns why d may not decide r, having audited it (an
// expired request is also marked expired), or nil.
func (s *Service) refuseDecision(ctx context.Context, tx *data.Tx, d Decision, r *data.ActionRequest) (refusal, err error) {
	var why string
	var result error
	switch {
	case r.StatusAt(tx.Now()) == data.RequestExpired && r.Status == data.RequestPending:
		if err := tx.DecideRequest(ctx, r.ID, data.RequestExpired, 0, ""); err != nil {
			return nil, err
		}
		why, result = "expired", ErrRequestExpired
	case r.Status != data.RequestPending:
		why, result = "decided", ErrRequestDecided
	case r.RequestedBy == d.Staff.ID:
		why, result = "own_request", ErrOwnRequest
	default:
		own, err := ownAccount(ctx, tx, d.Staff.ID, r.CustomerID)
		if err != nil || !own {
			return nil, err
		}
		why, result = "own_account", ErrOwnAccount
	}
	action := "request.approve"
	if !d.Approve {
		action = "request.reject"
	}
	return result, tx.Audit(ctx, d.event(r, action, "refused:"+why))
}

// runApproved runs an approved request's action, audited as the approver's.
func (s *Service) runApproved(ctx context.Context, tx *data.Tx, d Decision, r *data.ActionRequest) error {
	e := d.event(r, "", "")
	switch r.Kind {
	case data.RequestReset:
		return s.applyReset(ctx, tx, e, strings.Split(r.Remove, ","))
	case data.RequestContact:
		c, err := tx.CustomerByID(ctx, r.CustomerID)
		if err != nil {
			return err
		}
		return s.MFA.ApplyContactChange(ctx, tx, c, r.ContactKind, r.ContactValue, "", e)
	case data.RequestAddress:
		return applyAddressChange(ctx, tx, e, r.Address)
	case data.RequestPassword:
		// Nothing changes yet: the requester issues the code once from
		// the case (IssueApprovedPass), so it starts when it can be used.
		return nil
	}
	return errors.New("unknown request kind " + r.Kind)
}

// IssueApprovedPass issues, once, the temporary pass of an approved reset
// (or the password-setting code of an approved password request)
// to the staff member who requested it, on the request's case, after a
// strong verification of the customer on that case (the caller may be
// talking to someone else than at the request).
func (s *Service) IssueApprovedPass(ctx context.Context, a CaseActor, requestID int64) (ActionResult, error) {
	if err := s.checkCaseAction(ctx, a, "temp_pass.issue"); err != nil {
		return ActionResult{}, err
	}
	var res ActionResult
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		r, err := tx.RequestByID(ctx, requestID)
		if errors.Is(err, data.ErrNotFound) {
			result = ErrNoPassToIssue
			return nil
		}
		if err != nil {
			return err
		}
		if r.CaseID != a.Case.ID || r.RequestedBy != a.Staff.ID || r.Status != data.RequestApproved ||
			!r.TempPass || r.PassIssuedAt.Unix() != 0 {
			result = ErrNoPassToIssue
			return tx.Audit(ctx, a.event("temp_pass.issue", "refused:no_pass", "request="+strconv.FormatInt(requestID, 10)))
		}
		if r.Kind != data.RequestPassword && !s.TempPassUsable() {
			// Only a passkey passes login now: a pass would not let the
			// customer in.
			result = ErrTempPassUnusable
			return tx.Audit(ctx, a.event("temp_pass.issue", "refused:temp_pass_unusable", "request="+strconv.FormatInt(requestID, 10)))
		}
		if err := tx.MarkRequestPassIssued(ctx, r.ID); err != nil {
			return err
		}
		if r.Kind == data.RequestPassword {
			res.PasswordCode, err = s.issuePasswordCode(ctx, tx, a, r.ID)
			return err
		}
		res.TempPass, err = s.issueTempPass(ctx, tx, a.event("", "", ""), a.Case.ID, a.Staff.ID, r.ID)
		return err
	})
	if err != nil {
		return ActionResult{}, err
	}
	return res, result
}
