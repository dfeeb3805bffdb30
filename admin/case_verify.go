package admin

import (
	"errors"

	"github.com/labstack/echo/v4"

	"mfadesk/mfa"
	"mfadesk/support"
)

// Each verification handler calls mfa and sends the browser back to the
// case with a notice naming the outcome.

func (h *Handler) caseActor(c echo.Context) support.CaseActor {
	return support.CaseActor{Staff: staff(c), Case: currentCase(c), ClientIP: c.RealIP()}
}

func (h *Handler) verifyKnowledge(c echo.Context) error {
	passed, err := h.Support.VerifyKnowledge(c.Request().Context(), h.caseActor(c), c.FormValue("birth_date"), c.FormValue("phone"))
	notice := "knowledge_failed"
	if passed {
		notice = "knowledge_passed"
	}
	return h.afterVerification(c, err, notice)
}

func (h *Handler) sendPossessionLink(c echo.Context) error {
	err := h.Support.SendPossessionLink(c.Request().Context(), h.caseActor(c), c.FormValue("channel"))
	return h.afterVerification(c, err, "link_sent")
}

func (h *Handler) sendSpokenCode(c echo.Context) error {
	err := h.Support.SendSpokenCode(c.Request().Context(), h.caseActor(c), c.FormValue("channel"))
	return h.afterVerification(c, err, "code_sent")
}

func (h *Handler) checkSpokenCode(c echo.Context) error {
	err := h.Support.CheckSpokenCode(c.Request().Context(), h.caseActor(c), c.FormValue("code"))
	return h.afterVerification(c, err, "spoken_passed")
}

func (h *Handler) verifyDocument(c echo.Context) error {
	checked := c.FormValue("checked") == "on"
	err := h.Support.VerifyDocument(c.Request().Context(), h.caseActor(c), c.FormValue("document_type"), checked)
	return h.afterVerification(c, err, "document_passed")
}

func (h *Handler) sendPostalCode(c echo.Context) error {
	err := h.Support.SendPostalCode(c.Request().Context(), h.caseActor(c))
	return h.afterVerification(c, err, "postal_sent")
}

// errNotice names the page notice a refusal redirects to.
type errNotice struct {
	err    error
	notice string
}

// noticeFor finds the notice of err in the tables.
func noticeFor(err error, tables ...[]errNotice) (string, bool) {
	for _, table := range tables {
		for _, en := range table {
			if errors.Is(err, en.err) {
				return en.notice, true
			}
		}
	}
	return "", false
}

// codeNotices name the case page's notice for the refusals every form
// that sends or checks a code shares.
var codeNotices = []errNotice{
	{support.ErrCaseClosed, "case_closed"},
	{mfa.ErrResendTooSoon, "code_wait"},
	{mfa.ErrMalformedCode, "malformed_code"},
	{mfa.ErrWrongCode, "wrong_code"},
	{mfa.ErrTooManyTries, "too_many"},
	{mfa.ErrCodeExpired, "expired"},
	{mfa.ErrNoCode, "no_code"},
	{mfa.ErrLocked, "locked"},
}

// verificationNotices name the notices of the verifications' own refusals.
var verificationNotices = []errNotice{
	{support.ErrNoVerifiedDest, "no_destination"},
	{support.ErrNotInPerson, "not_in_person"},
	{support.ErrBadDocument, "document_invalid"},
	{support.ErrAttemptLimit, "attempt_limit"},
	{support.ErrNoAddress, "no_address"},
}

func (h *Handler) afterVerification(c echo.Context, err error, success string) error {
	return backToCase(c, err, success, verificationNotices, codeNotices)
}

// backToCase sends the browser back to the case with the notice of
// success, or of a refusal listed in the tables; other errors are errors.
func backToCase(c echo.Context, err error, success string, tables ...[]errNotice) error {
	href := caseHref(currentCase(c).ID)
	if err == nil {
		return redirectNotice(c, href, success)
	}
	if notice, ok := noticeFor(err, tables...); ok {
		return redirectNotice(c, href, notice)
	}
	return err
}
