package data

import (
	"context"
	"fmt"
)

// Contact links: a console contact change sends a link to the new contact
// and the customer confirms it there (docs/operations.md). The link's
// challenge is an ordinary challenge whose code_hash is the token's hash.

// contactLinkPurposes are the challenge purposes a contact link may have.
const contactLinkPurposes = `purpose IN ('support_contact_email', 'support_contact_phone')`

// PendingContactLink returns the open, unconfirmed contact-change challenge
// whose link token hashes to tokenHash (it may have expired: the caller
// decides).
func (tx *Tx) PendingContactLink(ctx context.Context, tokenHash string) (*Challenge, error) {
	c, err := scanChallenge(tx.QueryRowContext(ctx, challengeSelect+`
		WHERE code_hash = ? AND code_hash <> '' AND `+contactLinkPurposes+`
		AND used_at = 0 AND voided_at = 0 AND confirmed_at = 0`, tokenHash))
	if err != nil {
		return nil, fmt.Errorf("pending contact link: %w", err)
	}
	return c, nil
}

// ConfirmContactLink records the customer's yes on an open challenge, if
// nobody settled it first, and reports whether this call did.
func (tx *Tx) ConfirmContactLink(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE challenges SET confirmed_at = ?
		WHERE id = ? AND confirmed_at = 0 AND used_at = 0 AND voided_at = 0`, tx.now.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("confirm contact link: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// VoidContactLink settles an open challenge as refused (the customer said
// no), scrubbing its message, and reports whether this call did.
func (tx *Tx) VoidContactLink(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE challenges SET voided_at = ?
		WHERE id = ? AND used_at = 0 AND voided_at = 0`, tx.now.Unix(), id)
	if err != nil {
		return false, fmt.Errorf("void contact link: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	return true, tx.ScrubChallengeMessage(ctx, id)
}

// ContactLinkConfirmed reports whether the customer confirmed challenge id.
func (tx *Tx) ContactLinkConfirmed(ctx context.Context, id int64) (bool, error) {
	var at int64
	if err := tx.QueryRowContext(ctx, `SELECT confirmed_at FROM challenges WHERE id = ?`, id).Scan(&at); err != nil {
		return false, fmt.Errorf("contact link confirmed: %w", err)
	}
	return at != 0, nil
}

// ContactLinkConfirmed is Tx.ContactLinkConfirmed for display, outside a
// transaction.
func (db *DB) ContactLinkConfirmed(ctx context.Context, id int64) (bool, error) {
	var at int64
	if err := db.QueryRowContext(ctx, `SELECT confirmed_at FROM challenges WHERE id = ?`, id).Scan(&at); err != nil {
		return false, fmt.Errorf("contact link confirmed: %w", err)
	}
	return at != 0, nil
}
