package support

import (
	"context"
	"errors"

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
// case (already parsed by contact.ParseAddress).
func (s *Service) SetAddress(ctx context.Context, a CaseActor, addr contact.Address) error {
	const action = "support.address_change"
	if err := s.checkCaseAction(ctx, a, action); err != nil {
		return err
	}
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, action); err != nil || result != nil {
			return err
		}
		old, err := tx.CustomerAddress(ctx, a.Case.CustomerID)
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		c, err := tx.CustomerByID(ctx, a.Case.CustomerID)
		if err != nil {
			return err
		}
		if err := tx.SetCustomerAddress(ctx, c.ID, addr); err != nil {
			return err
		}
		if err := notify.NotifyCustomerForCase(ctx, tx, a.Case.ID, c, notify.AddressChanged(contact.MaskAddress(addr), tx.Now())); err != nil {
			return err
		}
		before := contact.MaskAddress(old)
		if before == "" {
			before = "none"
		}
		return tx.Audit(ctx, a.event(action, "success", "before="+before+" after="+contact.MaskAddress(addr)))
	})
	if err != nil {
		return err
	}
	return result
}
