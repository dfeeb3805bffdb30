package support

import (
	"context"
	"errors"
	"time"

	"mfadesk/data"
)

// The in-person passkey path (docs/operations.md): once only a passkey
// passes login, a customer without one gets back in by a document check
// at a shop or a strong check by phone, after which the console issues a
// one-use registration link, shown once to the staff member, that only
// registers a passkey on the customer's own device and logs in with it.

// PasskeyLinkTTL is how long a passkey registration link may be used.
const PasskeyLinkTTL = 15 * time.Minute

// PasskeyLinkPath is where a registration link's page lives.
const PasskeyLinkPath = "/passkey/setup/"

// IssuePasskeyLink makes a registration link for the case's customer
// after a strong verification on the case, never for the staff member's
// own account, and returns its path (the token is shown once). Earlier
// unused links of the customer stop working.
func (s *Service) IssuePasskeyLink(ctx context.Context, a CaseActor) (string, error) {
	if err := s.checkCaseAction(ctx, a, "support.passkey_link"); err != nil {
		return "", err
	}
	token, err := newLinkToken()
	if err != nil {
		return "", err
	}
	var result error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, "support.passkey_link"); err != nil || result != nil {
			return err
		}
		expires := tx.Now().Add(PasskeyLinkTTL)
		if err := tx.CreatePasskeySetupLink(ctx, &data.PasskeySetupLink{CustomerID: a.Case.CustomerID, CaseID: a.Case.ID,
			StaffID: a.Staff.ID, TokenHash: hashLinkToken(token), ExpiresAt: expires}); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("support.passkey_link", "success", "expires="+expires.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return "", err
	}
	if result != nil {
		return "", result
	}
	return PasskeyLinkPath + token, nil
}

// PasskeyLink is a live registration link and the customer it is for.
type PasskeyLink struct {
	Customer  *data.Customer
	ExpiresAt time.Time
	link      *data.PasskeySetupLink
}

// OpenPasskeyLink finds the live link of token: unknown, used, voided and
// expired links, and those whose case was closed, are ErrLinkInvalid and
// spend one try of the client address's budget (ErrAttemptLimit once
// spent), as possession links do.
func (s *Service) OpenPasskeyLink(ctx context.Context, token, clientIP string) (*PasskeyLink, error) {
	budgets := []budget{{"link_address", "link:addr:" + clientIP, LinkTriesPerAddress, LinkWindow}}
	spent, err := s.reserveAttempt(ctx, budgets)
	if err != nil {
		return nil, err
	}
	if spent != "" {
		return nil, s.refuseAttempt(ctx, data.AuditEvent{ActorKind: "customer", ClientIP: clientIP, Detail: "method=passkey_link"}, spent)
	}
	l, err := s.DB.OpenPasskeySetupLink(ctx, hashLinkToken(token))
	if errors.Is(err, data.ErrNotFound) {
		return nil, ErrLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	kase, err := s.DB.CaseByID(ctx, l.CaseID)
	if err != nil {
		return nil, err
	}
	if !s.DB.Now().Before(l.ExpiresAt) || kase.Status != CaseOpen || kase.CustomerID != l.CustomerID {
		return nil, ErrLinkInvalid
	}
	cu, err := s.DB.CustomerByID(ctx, l.CustomerID)
	if err != nil {
		return nil, err
	}
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error { return releaseAttempt(ctx, tx, budgets) }); err != nil {
		return nil, err
	}
	return &PasskeyLink{Customer: cu, ExpiresAt: l.ExpiresAt, link: l}, nil
}

// UseUp returns the step that uses the link up inside the transaction
// that stores the passkey, with its audit event: a link used meanwhile
// (or expired) fails it with ErrLinkInvalid and nothing is stored.
func (l *PasskeyLink) UseUp(clientIP string) func(context.Context, *data.Tx) error {
	return func(ctx context.Context, tx *data.Tx) error {
		if err := tx.UsePasskeySetupLink(ctx, l.link.ID); err != nil {
			if errors.Is(err, data.ErrConflict) {
				return ErrLinkInvalid
			}
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: l.Customer.LoginID, CustomerID: l.Customer.ID,
			CaseID: l.link.CaseID, ClientIP: clientIP, Action: "passkey_link.use", Outcome: "success"})
	}
}
