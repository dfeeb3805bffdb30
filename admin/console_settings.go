package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/web"
)

// staffSettings changes the console settings on the staff page; today the
// one that requires passkeys for staff. The change is audited in support.
func (h *Handler) staffSettings(c echo.Context) error {
	var on bool
	switch c.FormValue("require_passkeys") {
	case "on":
		on = true
	case "off", "":
		on = false
	default:
		return &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.staff_passkeys.setting.bad_title",
			Message: "ui.staff_passkeys.setting.bad"}
	}
	if err := h.Support.SetStaffPasskeysRequired(c.Request().Context(), staff(c), c.RealIP(), on); err != nil {
		return err
	}
	return redirectNotice(c, "/console/staff", "settings")
}
