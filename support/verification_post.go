package support

import (
	"context"
	"errors"
	"strconv"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

// A letter's code is typed by the customer on the site (/verify/post),
// never read to anyone: the letter says so, like every message with a
// code (docs/security.md S62). A match records the postal verification on
// its case as passed; the staff member sees it on the case page.

// ErrPostalCodeInvalid is one answer for an unknown login ID, no letter
// waiting, a wrong, used or expired code, and a throttled try, so the page
// tells nothing of the account.
var ErrPostalCodeInvalid = errors.New("the login ID and the letter's code do not match a waiting letter")

// Tries at /verify/post: per login ID as typed (a letter's 6 digits) and
// per client address, reserved before the check.
const (
	postalTriesPerLoginID = 5
	postalTriesPerAddress = 20
	postalTryWindow       = time.Hour
)

// ConfirmPostalCode checks the code of a letter typed by the customer.
func (s *Service) ConfirmPostalCode(ctx context.Context, rawLoginID, rawCode, clientIP string) error {
	loginID := mfa.NormalizeLoginID(rawLoginID)
	since := s.DB.Now().Add(-postalTryWindow)
	for _, t := range []struct {
		key   string
		limit int
	}{{"postal-addr:" + clientIP, postalTriesPerAddress}, {"postal-id:" + loginID, postalTriesPerLoginID}} {
		ok, err := s.DB.ReserveThrottle(ctx, t.key, t.limit, since)
		if err != nil {
			return err
		}
		if !ok {
			return s.postalRefused(ctx, loginID, clientIP, 0, 0, "throttled")
		}
	}
	code, ok := mfa.NormalizeCode(rawCode)
	if !ok {
		return s.postalRefused(ctx, loginID, clientIP, 0, 0, "malformed")
	}
	c, err := s.DB.CustomerByLoginID(ctx, loginID)
	if errors.Is(err, data.ErrNotFound) {
		return s.postalRefused(ctx, loginID, clientIP, 0, 0, "unknown")
	}
	if err != nil {
		return err
	}
	in := mfa.VerifyInput{Customer: c, Purpose: mfa.PurposeConsoleVerification, Method: mfa.Method(data.VerifyPostal), ClientIP: clientIP}
	err = s.MFA.Attempt(ctx, in, func(tx *data.Tx, _ *data.Customer) (result, err error) {
		v, err := tx.PendingPostalVerification(ctx, c.ID)
		if errors.Is(err, data.ErrNotFound) {
			return mfa.ErrNoCode, tx.Audit(ctx, postalEvent(loginID, clientIP, c.ID, 0, "refused:no_letter"))
		}
		if err != nil {
			return nil, err
		}
		result, err = s.matchVerificationCode(ctx, tx, v, code)
		if err != nil {
			return nil, err
		}
		return result, tx.Audit(ctx, postalEvent(loginID, clientIP, c.ID, v.CaseID, outcomeOf(result)))
	}, func(tx *data.Tx, _ *data.Customer) error {
		return tx.ClearThrottle(ctx, "postal-id:"+loginID)
	})
	if isCheckRefusal(err) {
		return ErrPostalCodeInvalid
	}
	return err
}

// isCheckRefusal reports whether err is the answer of a check (a wrong,
// expired or missing code, a lock) rather than a failure of the server.
func isCheckRefusal(err error) bool {
	for _, r := range []error{mfa.ErrNoCode, mfa.ErrWrongCode, mfa.ErrCodeExpired, mfa.ErrTooManyTries, mfa.ErrLocked,
		mfa.ErrMalformedCode} {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}

func (s *Service) postalRefused(ctx context.Context, loginID, clientIP string, customerID, caseID int64, why string) error {
	if err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, postalEvent(loginID, clientIP, customerID, caseID, "refused:"+why))
	}); err != nil {
		return err
	}
	return ErrPostalCodeInvalid
}

func postalEvent(loginID, clientIP string, customerID, caseID int64, outcome string) data.AuditEvent {
	e := data.AuditEvent{ActorKind: "customer", Actor: mfa.QuoteForAudit(loginID), ClientIP: clientIP,
		CustomerID: customerID, CaseID: caseID, Action: "case.verify.postal", Outcome: outcome,
		Detail: "via=customer_page"}
	if caseID != 0 {
		e.Detail += " case=" + strconv.FormatInt(caseID, 10)
	}
	return e
}
