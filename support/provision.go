package support

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// provisioner applies checked rows to customers inside one transaction,
// keyed by account number: what the customer import and the SCIM API
// share (docs/operations.md, "Importing customers" and "Provisioning
// over SCIM"). Each change, its audit event and its notices go in the
// same transaction.
type provisioner struct {
	svc    *Service
	tx     *data.Tx
	counts *ImportCounts
	// unusable is the hash of a secret nobody keeps, for new customers'
	// passwords (login, unless the row has its hash, and trading): no
	// password matches it. Made at the first create when empty.
	unusable string
	actor    data.AuditEvent // ActorKind and Actor of every event
	action   string          // the customer events' action
	suffix   string          // appended to each customer event's detail
}

// loginProblem is why the row's login ID is refused ("" when it is not):
// another account holds it.
func (p *provisioner) loginProblem(ctx context.Context, row ImportRow) (string, error) {
	if row.LoginID == "" {
		return "", nil
	}
	holder, err := p.tx.AccountOfLoginID(ctx, row.LoginID)
	if err != nil {
		return "", err
	}
	if holder != "" && holder != row.AccountNumber {
		return "login_id: belongs to another account", nil
	}
	return "", nil
}

// apply creates or updates the row's customer and returns its id.
func (p *provisioner) apply(ctx context.Context, row ImportRow) (int64, error) {
	st, err := p.tx.ImportedStateByAccount(ctx, row.AccountNumber)
	if errors.Is(err, data.ErrNotFound) {
		return p.create(ctx, row)
	}
	if err != nil {
		return 0, err
	}
	return st.ID, p.update(ctx, row, st)
}

// create inserts a new customer. The back office verified its contacts at
// account opening, so they are taken as verified: the password reset can
// reach the customer through them.
func (p *provisioner) create(ctx context.Context, row ImportRow) (int64, error) {
	if p.unusable == "" {
		var err error
		if p.unusable, err = mfa.HashPassword(rand.Text(), p.svc.Config.Argon2); err != nil {
			return 0, err
		}
	}
	c := data.Customer{AccountNumber: row.AccountNumber, LoginID: row.LoginID, NameKanji: row.NameKanji,
		NameKana: row.NameKana, BirthDate: row.BirthDate, Email: row.Email, EmailStatus: "none",
		Phone: row.Phone, PhoneVerified: row.Phone != "", PasswordHash: cmp.Or(row.PasswordHash, p.unusable),
		TradingPasswordHash: p.unusable, Lang: cmp.Or(row.Lang, "ja")}
	if c.Email != "" {
		c.EmailStatus = "verified"
	}
	id, err := p.tx.CreateImportedCustomer(ctx, &c, row.Closed)
	if err != nil {
		return 0, err
	}
	if row.Address.Postcode != "" {
		if err := p.tx.SetCustomerAddress(ctx, id, row.Address); err != nil {
			return 0, err
		}
	}
	p.counts.New++
	detail := "created"
	if row.Closed {
		detail += " closed"
	}
	return id, p.audit(ctx, id, detail)
}

// update applies a row to an existing customer; an identical row
// changes nothing and writes nothing.
func (p *provisioner) update(ctx context.Context, row ImportRow, st *data.ImportedState) error {
	old := st.Customer
	c := old
	var changed []string
	set := func(name string, dst *string, v string) {
		if v != "" && *dst != v {
			*dst = v
			changed = append(changed, name)
		}
	}
	set("login_id", &c.LoginID, row.LoginID)
	set("name_kanji", &c.NameKanji, row.NameKanji)
	set("name_kana", &c.NameKana, row.NameKana)
	set("birth_date", &c.BirthDate, row.BirthDate)
	set("lang", &c.Lang, row.Lang)
	set("password_hash", &c.PasswordHash, row.PasswordHash)
	// A customer who verified a contact keeps being reached there: a
	// contact changed by the back office is then not trusted for codes
	// until they confirm it, and their verified contacts are told.
	hadVerified := old.HasValidEmail() || (old.PhoneVerified && old.Phone != "")
	var untrusted []string
	if row.Email != "" && row.Email != old.Email {
		c.Email, c.EmailStatus = row.Email, "verified"
		if hadVerified {
			c.EmailStatus = "unverified"
			untrusted = append(untrusted, mfa.ContactEmail)
		}
		changed = append(changed, "email")
	}
	if row.Phone != "" && row.Phone != old.Phone {
		c.Phone, c.PhoneVerified = row.Phone, !hadVerified
		if hadVerified {
			untrusted = append(untrusted, mfa.ContactPhone)
		}
		changed = append(changed, "phone")
	}
	closing := row.Closed && !st.Closed
	if row.Closed != st.Closed {
		changed = append(changed, "status")
	}
	addressChanged := row.Address.Postcode != "" && row.Address != st.Address
	if addressChanged {
		changed = append(changed, "address")
	}
	if len(changed) == 0 {
		p.counts.Unchanged++
		return nil
	}
	if err := p.tx.UpdateImportedCustomer(ctx, &c, row.Closed); err != nil {
		return err
	}
	if addressChanged {
		if err := p.tx.SetCustomerAddress(ctx, c.ID, row.Address); err != nil {
			return err
		}
	}
	if closing {
		// A closed account is over: no session of it may go on.
		if err := p.tx.DeleteOtherSessions(ctx, c.ID, ""); err != nil {
			return err
		}
		p.counts.Closed++
	}
	if err := p.tellUntrusted(ctx, &old, &c, untrusted); err != nil {
		return err
	}
	p.counts.Changed++
	detail := "changed=" + strings.Join(changed, ",")
	if len(untrusted) > 0 {
		detail += " untrusted=" + strings.Join(untrusted, ",")
	}
	if closing {
		detail += " closed sessions_ended"
	}
	return p.audit(ctx, c.ID, detail)
}

// tellUntrusted holds withdrawals and tells every contact the customer
// had verified of each contact the back office changed without trusting it.
func (p *provisioner) tellUntrusted(ctx context.Context, old, c *data.Customer, kinds []string) error {
	if len(kinds) == 0 {
		return nil
	}
	p.counts.Untrusted += len(kinds)
	now := p.tx.Now()
	holdUntil := now.Add(p.svc.Config.WithdrawalHold)
	if err := p.tx.HoldWithdrawals(ctx, c.ID, holdUntil, "contact_import"); err != nil {
		return err
	}
	for _, kind := range kinds {
		value := c.Email
		if kind == mfa.ContactPhone {
			value = c.Phone
		}
		msg := notify.ContactImported(kind, contact.Mask(kind, value), now, holdUntil).In(c.Lang)
		if old.HasValidEmail() {
			if err := notify.Queue(ctx, p.tx, c.ID, notify.Email, old.Email, msg); err != nil {
				return err
			}
		}
		if old.PhoneVerified && old.Phone != "" {
			if err := notify.Queue(ctx, p.tx, c.ID, notify.SMS, old.Phone, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *provisioner) audit(ctx context.Context, customerID int64, detail string) error {
	e := p.actor
	e.CustomerID, e.Action, e.Outcome, e.Detail = customerID, p.action, "success", detail+p.suffix
	return p.tx.Audit(ctx, e)
}
