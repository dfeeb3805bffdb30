package support

import (
	"context"
	"strconv"
	"time"

	"mfadesk/data"
)

// ActionPassword is the console action that gives a customer who forgot
// the login password a one-use password-setting code (docs/security.md
// S64). Like a reset it needs a strong verification on the case and, for
// the roles four-eyes covers, a supervisor's approval first.
const ActionPassword = "password"

// RequestPasswordCode issues a password-setting code for the case's
// customer, to be shown once to the staff member, or makes a pending
// request when their role needs approval.
func (s *Service) RequestPasswordCode(ctx context.Context, a CaseActor) (ActionResult, error) {
	if err := s.checkCaseAction(ctx, a, "support.password"); err != nil {
		return ActionResult{}, err
	}
	var res ActionResult
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, "support.password"); err != nil || result != nil {
			return err
		}
		if s.NeedsApproval(ActionPassword, a.Staff.Role) {
			// TempPass marks the secret the requester issues once when approved.
			res.RequestID, err = tx.CreateRequest(ctx, &data.ActionRequest{CaseID: a.Case.ID, CustomerID: a.Case.CustomerID,
				Kind: data.RequestPassword, TempPass: true, RequestedBy: a.Staff.ID,
				ExpiresAt: tx.Now().Add(s.Config.ApprovalTTL)})
			if err != nil {
				return err
			}
			return tx.Audit(ctx, requestEvent(a, "support.password", res.RequestID, ""))
		}
		res.PasswordCode, err = s.issuePasswordCode(ctx, tx, a, 0)
		return err
	})
	if err != nil {
		return ActionResult{}, err
	}
	return res, result
}

// issuePasswordCode makes the customer's new code within tx and audits
// the issue; requestID names the approved request it belongs to, if any.
func (s *Service) issuePasswordCode(ctx context.Context, tx *data.Tx, a CaseActor, requestID int64) (string, error) {
	code, err := s.MFA.IssuePasswordSetCode(ctx, tx, data.PasswordSetCode{CustomerID: a.Case.CustomerID,
		CaseID: a.Case.ID, StaffID: a.Staff.ID, RequestID: requestID})
	if err != nil {
		return "", err
	}
	detail := "expires=" + tx.Now().Add(s.Config.PasswordSetTTL).UTC().Format(time.RFC3339)
	if requestID != 0 {
		detail += " request=" + strconv.FormatInt(requestID, 10)
	}
	return code, tx.Audit(ctx, a.event("support.password", "success", detail))
}
