package support

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"mfadesk/contact"
	"mfadesk/data"
)

// Identity verification on a support case (docs/design.md §3). Knowledge is weak:
// enough to see masked data and explain setup, never to reset a factor or
// change a contact. Possession, document and postal are strong. A passed
// verification counts for VerificationValidity, and only while its case is open.

// VerificationValidity is how long a passed verification counts.
const VerificationValidity = 15 * time.Minute

// Errors of verification.
var (
	ErrCaseClosed     = errors.New("case is closed")
	ErrNotInPerson    = errors.New("document checks are for cases at a shop")
	ErrBadDocument    = errors.New("unknown document type or original not checked")
	ErrNoVerifiedDest = errors.New("no verified contact on that channel")
)

// DocumentTypes are the identity documents a shop may check.
func DocumentTypes() []string {
	return []string{"license", "mynumber", "passport", "residence", "insurance"}
}

// CaseActor is the staff member working on a case, for verifications.
type CaseActor struct {
	Staff    *data.Staff
	Case     *data.Case
	ClientIP string
}

func (a CaseActor) event(action, outcome, detail string) data.AuditEvent {
	e := StaffEvent(a.Staff, a.ClientIP)
	e.CustomerID, e.CaseID = a.Case.CustomerID, a.Case.ID
	e.Action, e.Outcome, e.Detail = action, outcome, detail
	return e
}

// StrongestValid returns the strongest verification of vs that passed and
// still counts at now: data.StrengthStrong, data.StrengthWeak or "".
func StrongestValid(vs []data.Verification, now time.Time) string {
	best := ""
	for _, v := range vs {
		if v.Status != data.VerificationPassed || !now.Before(v.ValidUntil) {
			continue
		}
		if v.Strength == data.StrengthStrong {
			return data.StrengthStrong
		}
		best = data.StrengthWeak
	}
	return best
}

// CaseStrength is the strongest identity verification that counts on a
// case now; a closed case has none.
func (s *Service) CaseStrength(ctx context.Context, supportCase *data.Case) (string, error) {
	if supportCase.Status != CaseOpen {
		return "", nil
	}
	vs, err := s.DB.Verifications(ctx, supportCase.ID)
	if err != nil {
		return "", err
	}
	return StrongestValid(vs, s.DB.Now()), nil
}

// VerifyKnowledge checks what the caller said against the record: the
// birth date, and the registered phone number if there is one. The staff
// member types what they heard; the record is never shown to them for it.
// Failures spend the customer's and the staff member's budgets
// (ErrAttemptLimit once spent, audited).
func (s *Service) VerifyKnowledge(ctx context.Context, a CaseActor, birthDate, phone string) (bool, error) {
	if a.Case.Status != CaseOpen {
		return false, ErrCaseClosed
	}
	budgets := knowledgeBudgets(a.Staff.ID, a.Case.CustomerID)
	spent, err := s.reserveAttempt(ctx, budgets)
	if err != nil {
		return false, err
	}
	if spent != "" {
		return false, s.refuseAttempt(ctx, a.event("", "", "method="+data.VerifyKnowledge), spent)
	}
	c, err := s.DB.CustomerByID(ctx, a.Case.CustomerID)
	if err != nil {
		return false, err
	}
	passed := foldDate(birthDate) == c.BirthDate && (c.Phone == "" || samePhone(phone, c.Phone))
	items := "birth_date"
	if c.Phone != "" {
		items += ",phone"
	}
	return passed, s.DB.InTx(ctx, func(tx *data.Tx) error {
		if passed {
			if err := releaseAttempt(ctx, tx, budgets); err != nil {
				return err
			}
		}
		return s.recordVerification(ctx, tx, a, data.VerifyKnowledge, data.StrengthWeak, passed, "items="+items)
	})
}

// VerifyDocument records an identity document checked in person: its type
// and that the shop checked the original. No number from the document is
// taken or kept: the law restricts recording My Number (and health
// insurance numbers) for this purpose, and the check does not need one for
// any type (docs/security.md). Only a shop case qualifies, and only a
// member of a partner shop attests it (MayVerify); a refusal is audited.
func (s *Service) VerifyDocument(ctx context.Context, a CaseActor, docType string, checked bool) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	if !MayVerify(a.Staff.Role, a.Staff.OrgKind, a.Case.Channel, data.VerifyDocument) {
		return s.refuse(ctx, a, "case.verify."+data.VerifyDocument, "not_in_person", ErrNotInPerson)
	}
	if !slices.Contains(DocumentTypes(), docType) || !checked {
		return ErrBadDocument
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		return s.recordVerification(ctx, tx, a, data.VerifyDocument, data.StrengthStrong, true,
			"document="+docType+" checked=original")
	})
}

// recordVerification stores a settled verification with its audit event.
func (s *Service) recordVerification(ctx context.Context, tx *data.Tx, a CaseActor, method, strength string, passed bool, detail string) error {
	v := &data.Verification{CaseID: a.Case.ID, CustomerID: a.Case.CustomerID, StaffID: a.Staff.ID, Method: method,
		Strength: strength, Status: data.VerificationFailed, Detail: detail}
	outcome := "failure"
	if passed {
		v.Status, v.PassedAt, v.ValidUntil = data.VerificationPassed, tx.Now(), tx.Now().Add(VerificationValidity)
		outcome = "passed"
	}
	if _, err := tx.CreateVerification(ctx, v); err != nil {
		return err
	}
	return tx.Audit(ctx, a.event("case.verify."+method, outcome, detail))
}

// foldDate accepts 1950-04-01, 1950/4/1 and full-width digits.
func foldDate(s string) string {
	parts := strings.FieldsFunc(norm.NFKC.String(s), func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) != 3 {
		return ""
	}
	t, err := time.Parse("2006-1-2", strings.Join(parts, "-"))
	if err != nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// samePhone compares the number staff typed with the stored one, however
// either is written (domestic, +81, full-width, any dash).
func samePhone(typed, stored string) bool {
	a, okA := contact.PhoneDigits(typed)
	b, okB := contact.PhoneDigits(stored)
	return okA && okB && a == b
}
