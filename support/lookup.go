package support

import (
	"context"
	"errors"
	"strconv"

	"mfadesk/data"
)

// LookupCustomer is the partners' exact lookup: the customer whose account
// number and birth date both match what the staff member read off the
// documents, or nil. Misses spend the staff member's and the account
// number's budgets (ErrAttemptLimit once spent, before any lookup, so the
// answer is the same whether the account exists). Every attempt is
// audited with the account number tried, never the birth date.
func (s *Service) LookupCustomer(ctx context.Context, st *data.Staff, clientIP, account, birthDate string) (*data.Customer, error) {
	budgets := lookupBudgets(st.ID, account)
	e := StaffEvent(st, clientIP)
	e.Detail = "account=" + strconv.Quote(account)
	spent, err := s.reserveAttempt(ctx, budgets)
	if err != nil {
		return nil, err
	}
	if spent != "" {
		return nil, s.refuseAttempt(ctx, e, spent)
	}
	cu, err := s.DB.CustomerByAccountAndBirth(ctx, account, birthDate)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return nil, err
	}
	e.Action, e.Outcome = "customer.lookup", "not_found"
	if cu != nil {
		e.Outcome, e.CustomerID = "found", cu.ID
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if cu != nil {
			if err := releaseAttempt(ctx, tx, budgets); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return cu, nil
}
