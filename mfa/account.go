package mfa

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/notify"
)

// Contact kinds a customer can change.
const (
	ContactEmail = contact.Email
	ContactPhone = contact.Phone
)

// ErrWithdrawalHeld refuses a withdrawal during the hold after a contact
// change or support reset.
var ErrWithdrawalHeld = errors.New("withdrawals are held")

// ErrHolderNotCustomer refuses a withdrawal bank account in someone
// else's name: withdrawals go only to the customer's own account (本人名義).
var ErrHolderNotCustomer = errors.New("bank account holder is not the customer")

// ContactPurpose is the code purpose for confirming a new contact.
func ContactPurpose(kind string) string {
	if kind == ContactPhone {
		return PurposePhoneChange
	}
	return PurposeEmailChange
}

// ContactChange confirms a new email address or phone number with the code
// sent to it.
type ContactChange struct {
	Customer    *data.Customer
	SessionHash string
	Kind        string
	Code        string
	ClientIP    string
}

// ConfirmContact makes the new contact active once its code is entered:
// in one transaction the contact changes, withdrawals are held, the old
// and the new contact are told, the customer's other sessions end and the
// change is audited with masked values (docs/security.md S11, S34).
func (s *Service) ConfirmContact(ctx context.Context, in ContactChange) error {
	channel := notify.Email
	if in.Kind == ContactPhone {
		channel = notify.SMS
	}
	attempt := VerifyInput{Customer: in.Customer, SessionHash: in.SessionHash, Purpose: ContactPurpose(in.Kind),
		Use: UseAny, Method: Method(channel), Code: in.Code, ClientIP: in.ClientIP}
	code, ok := NormalizeCode(in.Code)
	if !ok {
		return ErrMalformedCode
	}
	var newValue string
	check := func(tx *data.Tx, c *data.Customer) (refusal, err error) {
		if ch, err := tx.OpenChallenge(ctx, in.SessionHash, attempt.Purpose); err == nil {
			newValue = ch.Destination
		}
		return s.checkChallenge(ctx, tx, c, attempt, code)
	}
	apply := func(tx *data.Tx, c *data.Customer) error {
		actor := data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, ClientIP: in.ClientIP}
		return s.applyContactChange(ctx, tx, c, in.Kind, newValue, in.SessionHash, actor)
	}
	return s.attempt(ctx, attempt, check, apply)
}

// applyContactChange makes a confirmed contact the customer's, whoever
// confirmed it: the customer (keepSession is their session, which stays)
// or support (keepSession "" ends every session). actor is who did it, for
// the audit event.
func (s *Service) applyContactChange(ctx context.Context, tx *data.Tx, c *data.Customer, kind, newValue, keepSession string, actor data.AuditEvent) error {
	now := tx.Now()
	holdUntil := now.Add(s.Config.WithdrawalHold)
	old, oldOK := c.Email, c.HasValidEmail()
	oldChannel, newChannel := notify.Email, notify.Email
	set := tx.SetEmail
	if kind == ContactPhone {
		old, oldOK = c.Phone, c.PhoneVerified && c.Phone != ""
		oldChannel, newChannel = notify.SMS, notify.SMS
		set = tx.SetPhone
	}
	if err := set(ctx, c.ID, newValue); err != nil {
		return err
	}
	if err := tx.HoldWithdrawals(ctx, c.ID, holdUntil, "contact_change"); err != nil {
		return err
	}
	msg := notify.ContactChanged(kind, contact.Mask(kind, newValue), now, holdUntil).In(c.Lang)
	if oldOK && old != newValue {
		if err := notify.QueueForCase(ctx, tx, actor.CaseID, c.ID, oldChannel, old, msg); err != nil {
			return err
		}
	}
	if err := notify.QueueForCase(ctx, tx, actor.CaseID, c.ID, newChannel, newValue, msg); err != nil {
		return err
	}
	if err := tx.DeleteOtherSessions(ctx, c.ID, keepSession); err != nil {
		return err
	}
	actor.CustomerID, actor.Action, actor.Outcome = c.ID, "contact.change", "success"
	actor.Detail = fmt.Sprintf("kind=%s before=%s after=%s hold_until=%s", kind, cmp.Or(contact.Mask(kind, old), "(none)"),
		contact.Mask(kind, newValue), holdUntil.UTC().Format(time.RFC3339))
	return tx.Audit(ctx, actor)
}

// WithdrawalHeld reports whether withdrawals are held for the customer now.
func (s *Service) WithdrawalHeld(c *data.Customer) bool {
	return s.DB.Now().Before(c.WithdrawalHoldUntil)
}

// StartWithdrawal records a withdrawal instruction. When the customer's
// settings ask for a second factor it waits for one bound to this row;
// otherwise it is requested at once.
func (s *Service) StartWithdrawal(ctx context.Context, c *data.Customer, amount int64, needsStepUp bool, clientIP string) (int64, error) {
	if s.WithdrawalHeld(c) {
		return 0, ErrWithdrawalHeld
	}
	bank, err := s.DB.BankAccountOf(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		w := &data.Withdrawal{CustomerID: c.ID, BankAccountID: bank.ID, Amount: amount, Status: data.WithdrawalAwaitingSecondFactor}
		if !needsStepUp {
			w.Status = data.WithdrawalRequested
		}
		var err error
		if id, err = tx.CreateWithdrawal(ctx, w); err != nil {
			return err
		}
		if needsStepUp {
			return nil
		}
		return s.withdrawalRequested(ctx, tx, c, bank, id, amount, clientIP)
	})
	return id, err
}

// ConfirmWithdrawal requests a withdrawal that waited for its second
// factor; the handler checked the step-up was for this very row.
func (s *Service) ConfirmWithdrawal(ctx context.Context, c *data.Customer, id int64, clientIP string) error {
	if s.WithdrawalHeld(c) {
		return ErrWithdrawalHeld
	}
	w, err := s.DB.WithdrawalOf(ctx, c.ID, id)
	if err != nil {
		return err
	}
	bank, err := s.DB.BankAccountOf(ctx, c.ID)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.MarkWithdrawalRequested(ctx, c.ID, id); err != nil {
			return err
		}
		return s.withdrawalRequested(ctx, tx, c, bank, id, w.Amount, clientIP)
	})
}

func (s *Service) withdrawalRequested(ctx context.Context, tx *data.Tx, c *data.Customer, bank *data.BankAccount, id, amount int64, clientIP string) error {
	masked := bank.BankName + " " + contact.MaskTail(bank.AccountNumber)
	if err := notify.NotifyCustomer(ctx, tx, c, notify.WithdrawalRequested(amount, masked, tx.Now())); err != nil {
		return err
	}
	return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
		Action: "withdrawal.request", Outcome: "success", ClientIP: clientIP,
		Detail: fmt.Sprintf("withdrawal=%d amount=%d bank_account=%d", id, amount, bank.ID)})
}

// ChangeBankAccount replaces the withdrawal bank account. The handler
// only calls it after a fresh second factor for this change (always,
// whatever the settings: docs/design.md §2); withdrawals are then held.
// The holder's kana name must be the customer's, as a bank compares names.
func (s *Service) ChangeBankAccount(ctx context.Context, c *data.Customer, b *data.BankAccount, sessionHash, clientIP string) error {
	if !contact.SameKanaName(b.HolderKana, c.NameKana) {
		return ErrHolderNotCustomer
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		now := tx.Now()
		holdUntil := now.Add(s.Config.WithdrawalHold)
		b.CustomerID = c.ID
		if err := tx.SetBankAccount(ctx, b); err != nil {
			return err
		}
		if err := tx.HoldWithdrawals(ctx, c.ID, holdUntil, "bank_change"); err != nil {
			return err
		}
		masked := b.BankName + " " + contact.MaskTail(b.AccountNumber)
		if err := notify.NotifyCustomer(ctx, tx, c, notify.BankAccountChanged(masked, now, holdUntil)); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, c.ID, sessionHash); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: c.LoginID, CustomerID: c.ID,
			Action: "bank_account.change", Outcome: "success", ClientIP: clientIP,
			Detail: fmt.Sprintf("after=%s hold_until=%s", masked, holdUntil.UTC().Format(time.RFC3339))})
	})
}
