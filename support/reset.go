package support

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

// Factor kinds a support reset can remove.
const ResetPasskey = "passkey"

// ResetKinds lists what a reset can remove, in the order forms show them.
func ResetKinds() []string { return []string{data.FactorTOTP, data.FactorSMS, ResetPasskey} }

// ResetInput is a support reset of a customer's second factors.
type ResetInput struct {
	Actor CaseActor
	// Remove names the kinds to remove (ResetKinds); empty removes all.
	Remove []string
	// TempPass issues a temporary access pass with the reset.
	TempPass bool
}

// ResetFactors removes the customer's chosen second factors (the lost
// phone's app and SMS, and passkeys: a reset by support removes them
// too), so that they enrol again at the next login. Withdrawals are held,
// every session ends, and the customer is told on every verified
// contact. A staff member whose role needs approval gets a pending request
// instead; otherwise the reset runs now, with a temporary pass if asked.
func (s *Service) ResetFactors(ctx context.Context, in ResetInput) (ActionResult, error) {
	a := in.Actor
	remove, err := resetChoice(in.Remove)
	if err != nil {
		return ActionResult{}, err
	}
	if err := s.checkCaseAction(ctx, a, "support.reset"); err != nil {
		return ActionResult{}, err
	}
	if in.TempPass {
		if err := s.refuseUnusablePass(ctx, a, "support.reset"); err != nil {
			return ActionResult{}, err
		}
	}
	var res ActionResult
	var result error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, "support.reset"); err != nil || result != nil {
			return err
		}
		detail := "remove=" + strings.Join(remove, ",") + fmt.Sprintf(" temp_pass=%t", in.TempPass)
		if s.NeedsApproval(ActionReset, a.Staff.Role) {
			res.RequestID, err = tx.CreateRequest(ctx, &data.ActionRequest{CaseID: a.Case.ID, CustomerID: a.Case.CustomerID,
				Kind: data.RequestReset, Remove: strings.Join(remove, ","), TempPass: in.TempPass, RequestedBy: a.Staff.ID,
				ExpiresAt: tx.Now().Add(s.Config.ApprovalTTL)})
			if err != nil {
				return err
			}
			return tx.Audit(ctx, requestEvent(a, "support.reset", res.RequestID, detail))
		}
		if err := s.applyReset(ctx, tx, a.event("", "", ""), remove); err != nil {
			return err
		}
		if in.TempPass {
			res.TempPass, err = s.issueTempPass(ctx, tx, a.event("", "", ""), a.Case.ID, a.Staff.ID, 0)
		}
		return err
	})
	if err != nil {
		return ActionResult{}, err
	}
	return res, result
}

// resetChoice checks the kinds to remove; none chosen means all.
func resetChoice(kinds []string) ([]string, error) {
	if len(kinds) == 0 {
		return ResetKinds(), nil
	}
	var out []string
	for _, k := range ResetKinds() {
		if slices.Contains(kinds, k) {
			out = append(out, k)
		}
	}
	if len(out) != len(kinds) {
		return nil, ErrBadResetChoice
	}
	return out, nil
}

// applyReset runs a reset within tx. e is the audit event of whoever ran
// it (the staff member acting directly, or the approver), with the case
// and customer set.
func (s *Service) applyReset(ctx context.Context, tx *data.Tx, e data.AuditEvent, remove []string) error {
	c, err := tx.CustomerByID(ctx, e.CustomerID)
	if err != nil {
		return err
	}
	var removed []string
	for _, kind := range remove {
		var n int64
		if kind == ResetPasskey {
			n, err = tx.DeleteAllPasskeys(ctx, c.ID)
		} else if err = tx.DeletePendingFactors(ctx, c.ID, kind); err == nil {
			n, err = tx.DeleteFactors(ctx, c.ID, kind, 0)
		}
		if err != nil {
			return err
		}
		removed = append(removed, fmt.Sprintf("%s:%d", kind, n))
	}
	holdUntil := tx.Now().Add(s.Config.WithdrawalHold)
	if err := tx.MarkMFAReset(ctx, c.ID); err != nil {
		return err
	}
	if err := tx.HoldWithdrawals(ctx, c.ID, holdUntil, "support_reset"); err != nil {
		return err
	}
	// Whoever holds the lost phone may be logged in: every session ends,
	// and any pass issued before this reset is void.
	if err := tx.DeleteOtherSessions(ctx, c.ID, ""); err != nil {
		return err
	}
	if err := tx.VoidTempPasses(ctx, c.ID); err != nil {
		return err
	}
	if err := notify.NotifyCustomerForCase(ctx, tx, e.CaseID, c, notify.MFAResetBySupport(tx.Now(), holdUntil)); err != nil {
		return err
	}
	e.Action, e.Outcome = "support.reset", "success"
	e.Detail = "removed=" + strings.Join(removed, ",") + " hold_until=" + holdUntil.UTC().Format(time.RFC3339)
	return tx.Audit(ctx, e)
}
