package customer

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/mfa"
)

// forgotResendNotices are the answers to a resend on the reset's factor
// step, alike whatever the first step matched (docs/security.md S63).
var forgotResendNotices = map[string]string{
	"sent":  "ui.forgot.verify.notice.sent",
	"wait":  "ui.forgot.verify.notice.wait",
	"spent": "ui.forgot.verify.notice.spent",
}

// forgotResend asks for a new code: the previous one stops working.
func (h *Handler) forgotResend(c echo.Context) error {
	s := resetSession(c, false)
	if s == nil {
		return c.Redirect(http.StatusSeeOther, "/login/forgot")
	}
	customer, err := h.resetCustomer(c, s)
	if err != nil {
		return err
	}
	method := mfa.Method(strings.TrimPrefix(s.Method, resetPrefix))
	err = h.MFA.ResendResetCode(c.Request().Context(), customer, s.IDHash, method, c.RealIP())
	notice := "sent"
	switch {
	case errors.Is(err, mfa.ErrResetResendsSpent):
		notice = "spent"
	case errors.Is(err, mfa.ErrResendTooSoon):
		notice = "wait"
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login/forgot/verify?notice="+notice)
}
