package support

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// ImportOptions says who imports which file and whether only to count.
type ImportOptions struct {
	DryRun   bool
	Operator string // who ran the import, for the audit trail
	FileName string
}

// ImportCounts are the outcome of an import (or what a dry run would do).
// Closed counts accounts closed by this import; Untrusted the contacts
// that changed for a customer who had a verified one (docs/operations.md,
// "Importing customers").
type ImportCounts struct {
	New, Changed, Unchanged, Closed, Untrusted int
}

// ImportRejectedError lists every bad line of a file nothing was imported from.
type ImportRejectedError struct {
	Problems []ImportProblem
}

func (e *ImportRejectedError) Error() string {
	return fmt.Sprintf("import refused, nothing changed: %d bad lines", len(e.Problems))
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// ImportCustomers upserts the file's customers by account number in one
// transaction: every line is checked (against the file and the database)
// before anything stays, and one bad line leaves the database as it was.
// Each changed customer gets an audit event, the import a summary event
// naming the operator and the file's SHA-256, and the notices go with
// them. A dry run does the same and rolls it all back.
func (s *Service) ImportCustomers(ctx context.Context, f *ImportFile, opt ImportOptions) (ImportCounts, error) {
	var counts ImportCounts
	// New customers' passwords, login (unless the file has its hash) and
	// trading, are the hash of a secret nobody keeps: no password matches
	// it, and every password check works as for any customer. One hash
	// serves the whole file, so a million rows cost one argon2id.
	unusable, err := mfa.HashPassword(rand.Text(), s.Config.Argon2)
	if err != nil {
		return counts, err
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		counts = ImportCounts{}
		im := &importer{svc: s, tx: tx, counts: &counts, tag: f.SHA256[:16], unusable: unusable,
			problems: append([]ImportProblem(nil), f.Problems...),
			accounts: map[string]int{}, logins: map[string]int{}}
		today := tx.Now().In(jst.Zone)
		for _, rec := range f.Rows {
			if err := im.row(ctx, rec, today); err != nil {
				return err
			}
		}
		if len(im.problems) > 0 {
			sortProblems(im.problems)
			return &ImportRejectedError{Problems: im.problems}
		}
		if err := tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "cli", Action: "customers.import", Outcome: "success",
			Detail: fmt.Sprintf("by=%s file=%s sha256=%s encoding=%s new=%d changed=%d unchanged=%d closed=%d untrusted_contacts=%d",
				mfa.QuoteForAudit(opt.Operator), mfa.QuoteForAudit(opt.FileName), f.SHA256, f.Encoding,
				counts.New, counts.Changed, counts.Unchanged, counts.Closed, counts.Untrusted)}); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return counts, err
}

// importer holds one import's transaction and what it has seen so far.
type importer struct {
	svc      *Service
	tx       *data.Tx
	counts   *ImportCounts
	tag      string // the file's SHA-256 prefix, in each customer's audit event
	unusable string // a password hash nothing matches
	problems []ImportProblem
	accounts map[string]int // account number -> line
	logins   map[string]int // login ID -> line
}

func (im *importer) row(ctx context.Context, rec ImportRecord, today time.Time) error {
	row, bad := CheckImportRecord(rec, today)
	if line, dup := im.accounts[row.AccountNumber]; dup && row.AccountNumber != "" {
		bad = append(bad, fmt.Sprintf("account_number: already on line %d", line))
	} else {
		im.accounts[row.AccountNumber] = row.Line
	}
	if line, dup := im.logins[row.LoginID]; dup && row.LoginID != "" {
		bad = append(bad, fmt.Sprintf("login_id: already on line %d", line))
	} else {
		im.logins[row.LoginID] = row.Line
	}
	if row.LoginID != "" {
		holder, err := im.tx.AccountOfLoginID(ctx, row.LoginID)
		if err != nil {
			return err
		}
		if holder != "" && holder != row.AccountNumber {
			bad = append(bad, "login_id: belongs to another account")
		}
	}
	for _, why := range bad {
		im.problems = append(im.problems, ImportProblem{Line: row.Line, Reason: why})
	}
	// After a bad line nothing will stay: the rest are only checked.
	if len(im.problems) > 0 {
		return nil
	}
	st, err := im.tx.ImportedStateByAccount(ctx, row.AccountNumber)
	if errors.Is(err, data.ErrNotFound) {
		return im.create(ctx, row)
	}
	if err != nil {
		return err
	}
	return im.update(ctx, row, st)
}

// create inserts a new customer. The back office verified its contacts at
// account opening, so they are taken as verified: the password reset can
// reach the customer through them.
func (im *importer) create(ctx context.Context, row ImportRow) error {
	c := data.Customer{AccountNumber: row.AccountNumber, LoginID: row.LoginID, NameKanji: row.NameKanji,
		NameKana: row.NameKana, BirthDate: row.BirthDate, Email: row.Email, EmailStatus: "none",
		Phone: row.Phone, PhoneVerified: row.Phone != "", PasswordHash: cmp.Or(row.PasswordHash, im.unusable),
		TradingPasswordHash: im.unusable, Lang: cmp.Or(row.Lang, "ja")}
	if c.Email != "" {
		c.EmailStatus = "verified"
	}
	id, err := im.tx.CreateImportedCustomer(ctx, &c, row.Closed)
	if err != nil {
		return err
	}
	if row.Address.Postcode != "" {
		if err := im.tx.SetCustomerAddress(ctx, id, row.Address); err != nil {
			return err
		}
	}
	im.counts.New++
	detail := "created"
	if row.Closed {
		detail += " closed"
	}
	return im.audit(ctx, id, detail)
}

// update applies a line to an existing customer; an identical line
// changes nothing and writes nothing.
func (im *importer) update(ctx context.Context, row ImportRow, st *data.ImportedState) error {
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
	// contact changed by the import is then not trusted for codes until
	// they confirm it, and their verified contacts are told.
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
		im.counts.Unchanged++
		return nil
	}
	if err := im.tx.UpdateImportedCustomer(ctx, &c, row.Closed); err != nil {
		return err
	}
	if addressChanged {
		if err := im.tx.SetCustomerAddress(ctx, c.ID, row.Address); err != nil {
			return err
		}
	}
	if closing {
		// A closed account is over: no session of it may go on.
		if err := im.tx.DeleteOtherSessions(ctx, c.ID, ""); err != nil {
			return err
		}
		im.counts.Closed++
	}
	if err := im.tellUntrusted(ctx, &old, &c, untrusted); err != nil {
		return err
	}
	im.counts.Changed++
	detail := "changed=" + strings.Join(changed, ",")
	if len(untrusted) > 0 {
		detail += " untrusted=" + strings.Join(untrusted, ",")
	}
	if closing {
		detail += " closed sessions_ended"
	}
	return im.audit(ctx, c.ID, detail)
}

// tellUntrusted holds withdrawals and tells every contact the customer
// had verified of each contact the import changed without trusting it.
func (im *importer) tellUntrusted(ctx context.Context, old, c *data.Customer, kinds []string) error {
	if len(kinds) == 0 {
		return nil
	}
	im.counts.Untrusted += len(kinds)
	now := im.tx.Now()
	holdUntil := now.Add(im.svc.Config.WithdrawalHold)
	if err := im.tx.HoldWithdrawals(ctx, c.ID, holdUntil, "contact_import"); err != nil {
		return err
	}
	for _, kind := range kinds {
		value := c.Email
		if kind == mfa.ContactPhone {
			value = c.Phone
		}
		msg := notify.ContactImported(kind, contact.Mask(kind, value), now, holdUntil).In(c.Lang)
		if old.HasValidEmail() {
			if err := notify.Queue(ctx, im.tx, c.ID, notify.Email, old.Email, msg); err != nil {
				return err
			}
		}
		if old.PhoneVerified && old.Phone != "" {
			if err := notify.Queue(ctx, im.tx, c.ID, notify.SMS, old.Phone, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

func (im *importer) audit(ctx context.Context, customerID int64, detail string) error {
	return im.tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "cli", CustomerID: customerID,
		Action: "customer.import", Outcome: "success", Detail: detail + " file_sha256=" + im.tag})
}

// sortProblems puts the problems in line order, each line's reasons in
// the order found (the CSV reader's come first, whatever their line).
func sortProblems(p []ImportProblem) {
	slices.SortStableFunc(p, func(a, b ImportProblem) int { return cmp.Compare(a.Line, b.Line) })
}
