package support

import (
	"context"
	"strconv"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// A contact change by support: the staff member enters the new email
// address or mobile number, a code goes to it, and the code read back
// (by the customer to the staff member) proves the customer receives
// there. Only then does the new contact replace the old one, by the same
// transaction a customer's own change uses (applyContactChange): the old
// contact is told, withdrawals are held, every session ends. The code is
// bound to the case instead of a session.

// SupportContactKey binds a contact code to the case that sent it, in
// place of a session.
func SupportContactKey(caseID int64) string { return "case:" + strconv.FormatInt(caseID, 10) }

// SupportContactPurpose is the purpose of a contact code sent from the console.
func SupportContactPurpose(kind string) string { return "support_contact_" + kind }

func contactChannel(kind string) string {
	if kind == mfa.ContactPhone {
		return notify.SMS
	}
	return notify.Email
}

// SendSupportContactCode sends a code to the new contact a staff member
// entered on the case. The send is throttled like every code to the
// customer (cool-down and hourly cap).
func (s *Service) SendSupportContactCode(ctx context.Context, a CaseActor, kind, raw string) error {
	to, err := mfa.ParseContact(kind, raw)
	if err != nil {
		return err
	}
	if err := s.checkCaseAction(ctx, a, "support.contact_code"); err != nil {
		return err
	}
	code, hash, err := s.MFA.NewHashedCode()
	if err != nil {
		return err
	}
	key, purpose, channel := SupportContactKey(a.Case.ID), SupportContactPurpose(kind), contactChannel(kind)
	var result error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, "support.contact_code"); err != nil || result != nil {
			return err
		}
		now := tx.Now()
		count, newest, err := tx.ChallengeSends(ctx, a.Case.CustomerID, key, purpose, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if wait := newest.Add(s.Config.ResendCooldown).Sub(now); !newest.IsZero() && wait > 0 {
			result = &mfa.SendWait{Wait: wait}
			return nil
		}
		if count >= s.Config.SendsPerHour {
			result = mfa.ErrSendLimit
			return nil
		}
		expires := now.Add(s.Config.CodeTTL)
		outboxID, err := notify.QueueCode(ctx, tx, a.Case.ID, a.Case.CustomerID, channel, to, notify.ContactCode(code, s.Config.CodeTTL, channel), expires)
		if err != nil {
			return err
		}
		if _, err := tx.CreateChallenge(ctx, &data.Challenge{CustomerID: a.Case.CustomerID, SessionHash: key,
			Purpose: purpose, Channel: channel, Destination: to, CodeHash: hash, ExpiresAt: expires, OutboxID: outboxID}); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("support.contact_code", "queued", "kind="+kind+" to="+contact.Mask(kind, to)))
	})
	if err != nil {
		return err
	}
	return result
}

// ConfirmSupportContact checks the code read back for the case's new
// contact. Wrong codes count toward the customer's one lock (docs/security.md S16).
// When it matches, the change runs now, or becomes a pending request when
// the staff member's role needs approval: the new value, proven, waits in
// the request.
func (s *Service) ConfirmSupportContact(ctx context.Context, a CaseActor, kind, rawCode string) (ActionResult, error) {
	if kind != mfa.ContactEmail && kind != mfa.ContactPhone {
		return ActionResult{}, ErrBadContact
	}
	if err := s.checkCaseAction(ctx, a, "support.contact_change"); err != nil {
		return ActionResult{}, err
	}
	code, ok := mfa.NormalizeCode(rawCode)
	if !ok {
		return ActionResult{}, mfa.ErrMalformedCode
	}
	in := mfa.VerifyInput{Customer: &data.Customer{ID: a.Case.CustomerID}, SessionHash: SupportContactKey(a.Case.ID),
		Purpose: SupportContactPurpose(kind), Use: mfa.UseAny, Method: mfa.Method(contactChannel(kind)), ClientIP: a.ClientIP}
	var newValue string
	var res ActionResult
	var own error
	check := func(tx *data.Tx, c *data.Customer) (result, err error) {
		if own, err = refuseOwnAccount(ctx, tx, a, "support.contact_change"); err != nil || own != nil {
			return mfa.ErrMethodNotAllowed, err
		}
		if ch, err := tx.OpenChallenge(ctx, in.SessionHash, in.Purpose); err == nil {
			newValue = ch.Destination
		}
		return s.MFA.CheckChallenge(ctx, tx, c, in, code)
	}
	apply := func(tx *data.Tx, c *data.Customer) error {
		detail := "kind=" + kind + " after=" + contact.Mask(kind, newValue)
		if !s.NeedsApproval(ActionContact, a.Staff.Role) {
			return s.MFA.ApplyContactChange(ctx, tx, c, kind, newValue, "", a.event("", "", ""))
		}
		var err error
		res.RequestID, err = tx.CreateRequest(ctx, &data.ActionRequest{CaseID: a.Case.ID, CustomerID: c.ID,
			Kind: data.RequestContact, ContactKind: kind, ContactValue: newValue, RequestedBy: a.Staff.ID,
			ExpiresAt: tx.Now().Add(s.Config.ApprovalTTL)})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, requestEvent(a, "support.contact_change", res.RequestID, detail))
	}
	err := s.MFA.Attempt(ctx, in, check, apply)
	if own != nil {
		return ActionResult{}, own
	}
	return res, err
}
