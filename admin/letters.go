package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The mail room's print queue (docs/operations.md, "Letters"): admins and
// supervisors download letters (audited: they hold codes), export the
// batch for the mail house, and mark letters printed or returned. Code
// letters and the outreach's reminder letters (no code) share the queue.

const letterListLimit = 300

var letterNotices = map[string]struct{ kind, msg string }{
	"printed":      {"info", "ui.console.letters.notice.printed"},
	"returned":     {"info", "ui.console.letters.notice.returned"},
	"none_printed": {"error", "ui.console.letters.notice.none_printed"},
	"not_allowed":  {"error", "ui.console.letters.notice.not_allowed"},
	"no_letters":   {"error", "ui.console.letters.notice.no_letters"},
	"no_font":      {"error", "ui.console.letters.no_font"},
}

var errLetterNotFound = &web.UserError{Status: http.StatusNotFound, Title: "ui.console.error.not_found_title",
	Message: "ui.console.letters.not_found"}

func (h *Handler) letters(c echo.Context) error {
	ls, err := h.DB.LetterQueue(c.Request().Context(), letterListLimit)
	if err != nil {
		return err
	}
	m := views.ConsoleLettersModel{Letters: h.letterRows(ls), NoFont: h.Support.Letters == nil}
	for _, l := range m.Letters {
		if l.Printable {
			m.Queued++
		}
	}
	if n, ok := letterNotices[c.QueryParam("notice")]; ok {
		if n.kind == "info" {
			m.Info = n.msg
		} else {
			m.Error = n.msg
		}
	}
	return web.Render(c, http.StatusOK, views.ConsoleLettersPage(m))
}

// letterRows shows letters; a queued letter past its expiry shows as
// expired before the sweep marks it so.
func (h *Handler) letterRows(ls []data.PostalLetter) []views.LetterRow {
	now := h.DB.Now()
	out := make([]views.LetterRow, 0, len(ls))
	for _, l := range ls {
		status := l.Status
		if status == data.LetterQueued && !now.Before(l.ExpiresAt) {
			status = data.LetterExpired
		}
		where := ""
		if l.Address.Postcode != "" {
			where = contact.FormatPostcode(l.Address.Postcode) + " " + l.Address.Prefecture
		}
		row := views.LetterRow{ID: l.ID, Href: "/console/letters/" + strconv.FormatInt(l.ID, 10), Kind: l.Kind,
			CaseID: l.CaseID, Status: status, Where: where, Created: l.CreatedAt,
			Expires: l.ExpiresAt, Printable: status == data.LetterQueued, Returnable: status == data.LetterPrinted}
		if l.CaseID != 0 { // a reminder has no case
			row.CaseHref = caseHref(l.CaseID)
		}
		out = append(out, row)
	}
	return out
}

func (h *Handler) letterPDF(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errLetterNotFound
	}
	pdf, err := h.Support.LetterPDF(c.Request().Context(), staff(c), c.RealIP(), id)
	switch {
	case errors.Is(err, data.ErrNotFound):
		return errLetterNotFound
	case errors.Is(err, support.ErrLetterState):
		return redirectNotice(c, "/console/letters", "not_allowed")
	case errors.Is(err, support.ErrNoLetterFont):
		return redirectNotice(c, "/console/letters", "no_font")
	case err != nil:
		return err
	}
	return download(c, "application/pdf", "letter-"+strconv.FormatInt(id, 10)+".pdf", pdf)
}

func (h *Handler) exportLetters(c echo.Context) error {
	b, err := h.Support.ExportLetters(c.Request().Context(), staff(c), c.RealIP())
	switch {
	case errors.Is(err, support.ErrNoLetters):
		return redirectNotice(c, "/console/letters", "no_letters")
	case errors.Is(err, support.ErrNoLetterFont):
		return redirectNotice(c, "/console/letters", "no_font")
	case err != nil:
		return err
	}
	name := "letters-" + h.DB.Now().In(jst.Zone).Format("20060102-1504") + ".zip"
	return download(c, "application/zip", name, b.Zip)
}

// download sends a file that holds codes: never cached.
func download(c echo.Context, contentType, name string, body []byte) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, contentType, body)
}

// markPrinted marks one letter (:id) or the selected ones (form "id").
func (h *Handler) markPrinted(c echo.Context) error {
	var ids []int64
	if p := c.Param("id"); p != "" {
		id, ok := parseID(p)
		if !ok {
			return errLetterNotFound
		}
		ids = append(ids, id)
	} else {
		form, err := c.FormParams()
		if err != nil {
			return err
		}
		for _, v := range form["id"] {
			if id, ok := parseID(v); ok {
				ids = append(ids, id)
			}
		}
	}
	n, err := h.Support.MarkLettersPrinted(c.Request().Context(), staff(c), c.RealIP(), ids)
	if err != nil {
		return err
	}
	if n == 0 {
		return redirectNotice(c, "/console/letters", "none_printed")
	}
	return redirectNotice(c, "/console/letters", "printed")
}

func (h *Handler) markReturned(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errLetterNotFound
	}
	err := h.Support.MarkLetterReturned(c.Request().Context(), staff(c), c.RealIP(), id)
	switch {
	case errors.Is(err, data.ErrNotFound):
		return errLetterNotFound
	case errors.Is(err, support.ErrLetterState):
		return redirectNotice(c, "/console/letters", "not_allowed")
	case err != nil:
		return err
	}
	return redirectNotice(c, "/console/letters", "returned")
}
