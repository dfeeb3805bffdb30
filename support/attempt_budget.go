package support

import (
	"context"
	"errors"
	"strconv"
	"time"

	"mfadesk/data"
)

// Attempt limits on the console's guessable checks (docs/operations.md,
// "Console attempt limits"). Without them a partner could walk through
// birth dates with the exact lookup, or through the digits of a phone
// number masked to them with the knowledge check. Each budget counts
// failures in a fixed window; an attempt is reserved before the check and
// given back when it succeeds, so parallel requests never exceed it.
const (
	// LookupMissesPerStaff bounds one staff member's exact lookups that
	// found nobody, per LookupWindow.
	LookupMissesPerStaff = 10
	// LookupMissesPerAccount bounds the misses on one account number, from
	// every staff member together, per LookupWindow.
	LookupMissesPerAccount = 5
	LookupWindow           = time.Hour

	// KnowledgeFailuresPerCustomer bounds the failed knowledge checks on
	// one customer, from every staff member together, per KnowledgeCustomerWindow.
	KnowledgeFailuresPerCustomer = 3
	KnowledgeCustomerWindow      = 24 * time.Hour
	// KnowledgeFailuresPerStaff bounds one staff member's failed knowledge
	// checks, on any customer, per KnowledgeStaffWindow.
	KnowledgeFailuresPerStaff = 10
	KnowledgeStaffWindow      = time.Hour
)

// ActionAttemptLimit is the audit action of an attempt refused because a
// budget was spent; supervisors list these events on the audit page.
const ActionAttemptLimit = "console.attempt_limit"

// ErrAttemptLimit refuses a check whose budget is spent. It says nothing
// about whether the account exists.
var ErrAttemptLimit = errors.New("too many failed attempts; try again later")

// budget is one attempt limit: name says which in the audit trail.
type budget struct {
	name   string
	key    string
	limit  int
	window time.Duration
}

func lookupBudgets(staffID int64, account string) []budget {
	return []budget{
		{"lookup_staff", "lookup:staff:" + strconv.FormatInt(staffID, 10), LookupMissesPerStaff, LookupWindow},
		{"lookup_account", "lookup:account:" + account, LookupMissesPerAccount, LookupWindow},
	}
}

func knowledgeBudgets(staffID, customerID int64) []budget {
	return []budget{
		{"knowledge_customer", "knowledge:customer:" + strconv.FormatInt(customerID, 10), KnowledgeFailuresPerCustomer,
			KnowledgeCustomerWindow},
		{"knowledge_staff", "knowledge:staff:" + strconv.FormatInt(staffID, 10), KnowledgeFailuresPerStaff,
			KnowledgeStaffWindow},
	}
}

// errBudgetSpent rolls back the reservations already made when a later
// budget of the same attempt is spent.
type errBudgetSpent struct{ name string }

func (e *errBudgetSpent) Error() string { return "attempt budget " + e.name + " spent" }

// reserveAttempt takes one attempt from every budget, or from none: it
// returns the name of the first spent budget ("" when all had room).
func (s *Service) reserveAttempt(ctx context.Context, budgets []budget) (string, error) {
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		for _, b := range budgets {
			ok, err := tx.ReserveAttempt(ctx, b.key, b.limit, tx.Now().Add(-b.window))
			if err != nil {
				return err
			}
			if !ok {
				return &errBudgetSpent{b.name}
			}
		}
		return nil
	})
	var spent *errBudgetSpent
	if errors.As(err, &spent) {
		return spent.name, nil
	}
	return "", err
}

// releaseAttempt gives back the attempt of a check that succeeded.
func releaseAttempt(ctx context.Context, tx *data.Tx, budgets []budget) error {
	for _, b := range budgets {
		if err := tx.ReleaseAttempt(ctx, b.key); err != nil {
			return err
		}
	}
	return nil
}

// refuseAttempt audits an attempt refused by the spent budget name and
// returns ErrAttemptLimit. e names the staff member, their organisation
// and what was tried; its detail never holds a guessed value.
func (s *Service) refuseAttempt(ctx context.Context, e data.AuditEvent, name string) error {
	e.Action, e.Outcome = ActionAttemptLimit, "refused:"+name
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return ErrAttemptLimit
}
