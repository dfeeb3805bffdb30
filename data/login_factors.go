package data

import (
	"context"
	"fmt"
	"slices"
)

// FactorSummary is what the enforcement policy needs to know of a
// customer's factors: kinds and 「利用する」 choices, passkeys' state and
// how many recovery codes remain. No secrets.
type FactorSummary struct {
	Factors  []Factor  // Kind and uses only
	Passkeys []Passkey // uses and Cloned only
	Recovery int
}

// FactorSummaryOf reads the summary in one query: the policy runs on every
// page that shows a warning or a method, and three round trips to SQLite
// cost more than the rows.
func (db *DB) FactorSummaryOf(ctx context.Context, customerID int64) (*FactorSummary, error) {
	if s, ok := lookup(db.cache, &db.cache.summaries, customerID); ok {
		return s.clone(), nil
	}
	snap := db.cache.snapshot(customerStripe(customerID))
	s, err := db.factorSummaryOf(ctx, customerID)
	if err == nil {
		store(db.cache, &db.cache.summaries, customerID, *s.clone(), snap)
	}
	return s, err
}

// clone copies the summary, so a caller's changes never reach the cache.
func (s *FactorSummary) clone() *FactorSummary {
	return &FactorSummary{Factors: slices.Clone(s.Factors), Passkeys: slices.Clone(s.Passkeys), Recovery: s.Recovery}
}

func (db *DB) factorSummaryOf(ctx context.Context, customerID int64) (*FactorSummary, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT 'factor', kind, use_login, use_account, use_withdrawal, 0 FROM factors WHERE customer_id = ? AND confirmed_at > 0
		UNION ALL
		SELECT 'passkey', '', use_login, use_account, use_withdrawal, cloned FROM passkeys WHERE customer_id = ?
		UNION ALL
		SELECT 'recovery', '', COUNT(*), 0, 0, 0 FROM recovery_codes WHERE customer_id = ? AND used_at = 0`,
		customerID, customerID, customerID)
	if err != nil {
		return nil, fmt.Errorf("factor summary of %d: %w", customerID, err)
	}
	defer rows.Close()
	var s FactorSummary
	for rows.Next() {
		var src, kind string
		var login, account, withdrawal int64
		var cloned bool
		if err := rows.Scan(&src, &kind, &login, &account, &withdrawal, &cloned); err != nil {
			return nil, fmt.Errorf("scan factor summary: %w", err)
		}
		switch src {
		case "factor":
			s.Factors = append(s.Factors, Factor{CustomerID: customerID, Kind: kind, UseLogin: login == 1,
				UseAccount: account == 1, UseWithdrawal: withdrawal == 1})
		case "passkey":
			s.Passkeys = append(s.Passkeys, Passkey{CustomerID: customerID, UseLogin: login == 1,
				UseAccount: account == 1, UseWithdrawal: withdrawal == 1, Cloned: cloned})
		case "recovery":
			s.Recovery = int(login)
		}
	}
	return &s, rows.Err()
}
