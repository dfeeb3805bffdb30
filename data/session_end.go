package data

import (
	"context"
	"fmt"
)

// DeleteOtherSessions ends every customer-site session of the customer
// except the one whose hash is keepIDHash: after a password or factor
// change, a browser that an attacker may hold is logged out (docs/security.md S25).
// Pass "" to end them all.
func (tx *Tx) DeleteOtherSessions(ctx context.Context, customerID int64, keepIDHash string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE customer_id = ? AND site = ? AND id_hash <> ?`,
		customerID, SiteCustomer, keepIDHash)
	if err != nil {
		return fmt.Errorf("delete other sessions of %d: %w", customerID, err)
	}
	return nil
}
