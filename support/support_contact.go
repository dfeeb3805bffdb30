package support

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// A contact change by support: the staff member enters the new email
// address or mobile number and a confirmation link goes to it. The
// customer opens it and confirms on /verify/:token, as with a possession
// link: nothing is read back, so no message asks anyone to tell a code
// (docs/operations.md). Only then may the staff member make the change,
// by the same transaction a customer's own change uses
// (applyContactChange): the old contact is told, withdrawals are held,
// every session ends. The link's challenge is bound to the case instead
// of a session.

// SupportContactKey binds a contact link to the case that sent it, in
// place of a session.
func SupportContactKey(caseID int64) string { return "case:" + strconv.FormatInt(caseID, 10) }

// contactLinkCase is the case of a contact link's key.
func contactLinkCase(key string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, "case:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// ErrContactNotConfirmed refuses a contact change the customer has not
// confirmed from the new contact yet.
var ErrContactNotConfirmed = errors.New("the customer has not confirmed the new contact")

// SupportContactPurpose is the purpose of a contact link sent from the console.
func SupportContactPurpose(kind string) string { return "support_contact_" + kind }

func contactChannel(kind string) string {
	if kind == mfa.ContactPhone {
		return notify.SMS
	}
	return notify.Email
}

// SendSupportContactLink sends a confirmation link to the new contact a
// staff member entered on the case. The send is throttled like every code
// to the customer (cool-down and hourly cap).
func (s *Service) SendSupportContactLink(ctx context.Context, a CaseActor, kind, raw string) error {
	to, err := mfa.ParseContact(kind, raw)
	if err != nil {
		return err
	}
	if err := s.checkCaseAction(ctx, a, "support.contact_code"); err != nil {
		return err
	}
	token, err := newLinkToken()
	if err != nil {
		return err
	}
	link := s.Origin + "/verify/" + token
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
		c, err := tx.CustomerByID(ctx, a.Case.CustomerID)
		if err != nil {
			return err
		}
		expires := now.Add(LinkTTL)
		msg := notify.ContactLink(channel, link, LinkTTL).In(c.Lang)
		outboxID, err := notify.QueueCode(ctx, tx, a.Case.ID, a.Case.CustomerID, channel, to, msg, expires)
		if err != nil {
			return err
		}
		if _, err := tx.CreateChallenge(ctx, &data.Challenge{CustomerID: a.Case.CustomerID, SessionHash: key,
			Purpose: purpose, Channel: channel, Destination: to, CodeHash: hashLinkToken(token), ExpiresAt: expires, OutboxID: outboxID}); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("support.contact_code", "queued", "kind="+kind+" to="+contact.Mask(kind, to)))
	})
	if err != nil {
		return err
	}
	return result
}

// ConfirmSupportContact makes the change once the customer confirmed the
// link at the new contact, or makes it a pending request when the staff
// member's role needs approval: the new value, proven, waits in the
// request.
func (s *Service) ConfirmSupportContact(ctx context.Context, a CaseActor, kind string) (ActionResult, error) {
	if kind != mfa.ContactEmail && kind != mfa.ContactPhone {
		return ActionResult{}, ErrBadContact
	}
	if err := s.checkCaseAction(ctx, a, "support.contact_change"); err != nil {
		return ActionResult{}, err
	}
	var res ActionResult
	var result error
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if result, err = refuseOwnAccount(ctx, tx, a, "support.contact_change"); err != nil || result != nil {
			return err
		}
		ch, err := tx.OpenChallenge(ctx, SupportContactKey(a.Case.ID), SupportContactPurpose(kind))
		if errors.Is(err, data.ErrNotFound) {
			result = mfa.ErrNoCode
			return nil
		}
		if err != nil {
			return err
		}
		if !tx.Now().Before(ch.ExpiresAt) {
			result = mfa.ErrCodeExpired
			return nil
		}
		confirmed, err := tx.ContactLinkConfirmed(ctx, ch.ID)
		if err != nil {
			return err
		}
		if !confirmed {
			result = ErrContactNotConfirmed
			return nil
		}
		if won, err := tx.UseChallenge(ctx, ch.ID); err != nil || !won {
			if err == nil {
				result = mfa.ErrNoCode
			}
			return err
		}
		c, err := tx.CustomerByID(ctx, a.Case.CustomerID)
		if err != nil {
			return err
		}
		if !s.NeedsApproval(ActionContact, a.Staff.Role) {
			return s.MFA.ApplyContactChange(ctx, tx, c, kind, ch.Destination, "", a.event("", "", ""))
		}
		res.RequestID, err = tx.CreateRequest(ctx, &data.ActionRequest{CaseID: a.Case.ID, CustomerID: c.ID,
			Kind: data.RequestContact, ContactKind: kind, ContactValue: ch.Destination, RequestedBy: a.Staff.ID,
			ExpiresAt: tx.Now().Add(s.Config.ApprovalTTL)})
		if err != nil {
			return err
		}
		detail := "kind=" + kind + " after=" + contact.Mask(kind, ch.Destination)
		return tx.Audit(ctx, requestEvent(a, "support.contact_change", res.RequestID, detail))
	})
	if err != nil {
		return ActionResult{}, err
	}
	return res, result
}

// answerContactLink settles a contact link with the customer's answer: yes
// lets the staff member make the change, no voids the link. Either way
// the answer is audited as the customer's.
func answerContactLink(ctx context.Context, tx *data.Tx, l *pendingLink, clientIP string, yes bool) error {
	cu, err := tx.CustomerByID(ctx, l.contact.CustomerID)
	if err != nil {
		return err
	}
	kind := strings.TrimPrefix(l.contact.Purpose, "support_contact_")
	e := data.AuditEvent{ActorKind: "customer", Actor: cu.LoginID, CustomerID: cu.ID, CaseID: l.kase.ID,
		ClientIP: clientIP, Action: "support.contact_link", Outcome: "confirmed",
		Detail: "kind=" + kind + " to=" + contact.Mask(kind, l.contact.Destination)}
	var won bool
	if yes {
		won, err = tx.ConfirmContactLink(ctx, l.contact.ID)
	} else {
		e.Outcome = "refused:customer_denied"
		won, err = tx.VoidContactLink(ctx, l.contact.ID)
	}
	if err != nil {
		return err
	}
	if !won {
		return ErrLinkInvalid
	}
	return tx.Audit(ctx, e)
}
