package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The page a possession link opens: it names the case and the staff
// member, and the customer answers whether they asked for help. Nothing
// is typed and no code is told to anyone (docs/security.md).

// errLinkInvalid is one answer for an unknown, used, expired or voided
// link, so the page never tells which it was.
var errLinkInvalid = &web.UserError{Status: http.StatusNotFound, Title: "ui.verify_link.invalid_title",
	Message: "ui.verify_link.invalid"}

var errBadAnswer = &web.UserError{Status: http.StatusBadRequest, Title: "ui.verify_link.invalid_title",
	Message: "ui.verify_link.bad_answer"}

func (h *Handler) linkForm(c echo.Context) error {
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	req, err := h.Support.LinkRequest(c.Request().Context(), c.Param("token"), c.RealIP())
	if err != nil {
		return linkError(err)
	}
	return web.Render(c, http.StatusOK, views.VerifyLinkPage(views.VerifyLinkModel{
		Action: "/verify/" + c.Param("token"), CaseID: req.CaseID, StaffName: req.StaffName, OrgName: req.OrgName,
		ExpiresAt: req.ExpiresAt}))
}

func (h *Handler) linkAnswer(c echo.Context) error {
	answer := c.FormValue("answer")
	if answer != "yes" && answer != "no" {
		return errBadAnswer
	}
	if err := h.Support.AnswerLink(c.Request().Context(), c.Param("token"), c.RealIP(), answer == "yes"); err != nil {
		return linkError(err)
	}
	return web.Render(c, http.StatusOK, views.VerifyLinkDonePage(answer == "yes"))
}

func linkError(err error) error {
	switch {
	case errors.Is(err, support.ErrLinkInvalid):
		return errLinkInvalid
	case errors.Is(err, support.ErrAttemptLimit):
		return errAddressThrottled
	}
	return err
}
