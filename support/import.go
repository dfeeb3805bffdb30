package support

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
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
		im := &importer{provisioner: provisioner{svc: s, tx: tx, counts: &counts, unusable: unusable,
			actor: data.AuditEvent{ActorKind: "system", Actor: "cli"}, action: "customer.import",
			suffix: " file_sha256=" + f.SHA256[:16]},
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
	provisioner
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
	why, err := im.loginProblem(ctx, row)
	if err != nil {
		return err
	}
	if why != "" {
		bad = append(bad, why)
	}
	for _, why := range bad {
		im.problems = append(im.problems, ImportProblem{Line: row.Line, Reason: why})
	}
	// After a bad line nothing will stay: the rest are only checked.
	if len(im.problems) > 0 {
		return nil
	}
	_, err = im.apply(ctx, row)
	return err
}

// sortProblems puts the problems in line order, each line's reasons in
// the order found (the CSV reader's come first, whatever their line).
func sortProblems(p []ImportProblem) {
	slices.SortStableFunc(p, func(a, b ImportProblem) int { return cmp.Compare(a.Line, b.Line) })
}
