package support

import (
	"context"
	"errors"
	"strings"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/notify"
)

// A postal address is entered by a staff member on a case, by the rule of
// a contact change: after a strong verification on the case, never on
// their own account; the change, its audit event (old and new masked) and
// the notice to every verified contact commit together
// (docs/operations.md, "Letters").

// ErrNoAddress refuses a letter to a customer without a postal address.
var ErrNoAddress = errors.New("the customer has no postal address on record")

// CustomerAddress is the customer's postal address, or ErrNoAddress.
func (s *Service) CustomerAddress(ctx context.Context, customerID int64) (contact.Address, error) {
	a, err := s.DB.CustomerAddress(ctx, customerID)
	if errors.Is(err, data.ErrNotFound) {
		return a, ErrNoAddress
	}
	return a, err
}

// SetAddress records the postal address a staff member entered on the
// case (already parsed by contact.ParseAddress), or makes it a pending
// request when the staff member's role needs approval for a contact
// change: an address is where letters with codes go, so changing it is
// as sensitive as changing an email or phone (docs/operations.md, "Letters").
func (s *Service) SetAddress(ctx context.Context, a CaseActor, addr contact.Address) (ActionResult, error) {
	const action = "support.address_change"
	if err := s.checkCaseAction(ctx, a, action); err != nil {
		return ActionResult{}, err
	}
	var res ActionResult
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, action); err != nil || result != nil {
			return err
		}
		if !s.NeedsApproval(ActionContact, a.Staff.Role) {
			return applyAddressChange(ctx, tx, a.event("", "", ""), addr)
		}
		res.RequestID, err = tx.CreateRequest(ctx, &data.ActionRequest{CaseID: a.Case.ID, CustomerID: a.Case.CustomerID,
			Kind: data.RequestAddress, Address: addr, RequestedBy: a.Staff.ID, ExpiresAt: tx.Now().Add(s.Config.ApprovalTTL)})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, requestEvent(a, action, res.RequestID, "after="+contact.MaskAddress(addr)))
	})
	if err != nil {
		return ActionResult{}, err
	}
	return res, result
}

// applyAddressChange replaces the address of e's customer, tells every
// verified contact and audits it as e's actor (old and new masked), in tx.
func applyAddressChange(ctx context.Context, tx *data.Tx, e data.AuditEvent, addr contact.Address) error {
	old, err := tx.CustomerAddress(ctx, e.CustomerID)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	c, err := tx.CustomerByID(ctx, e.CustomerID)
	if err != nil {
		return err
	}
	if err := tx.SetCustomerAddress(ctx, c.ID, addr); err != nil {
		return err
	}
	if err := notify.NotifyCustomerForCase(ctx, tx, e.CaseID, c, notify.AddressChanged(contact.MaskAddress(addr), tx.Now())); err != nil {
		return err
	}
	before := contact.MaskAddress(old)
	if before == "" {
		before = "none"
	}
	e.Action, e.Outcome = "support.address_change", "success"
	e.Detail = strings.TrimSpace(e.Detail + " before=" + before + " after=" + contact.MaskAddress(addr))
	return tx.Audit(ctx, e)
}
