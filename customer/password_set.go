package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// /login/set-password: the customer whose password support could not let
// them reset alone types login ID, the password-setting code support gave
// them and the new password twice (docs/security.md S64). An unknown login
// ID and a wrong, used or expired code read the same.

// setPasswordFields names the new password's fields, as in the reset.
var setPasswordFields = views.PasswordFields{New: "new_password", Confirm: "new_password_confirm"}

func (h *Handler) setPasswordForm(c echo.Context) error {
	if s := web.Current(c); s != nil && s.Level == data.LevelFull {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.SetPasswordPage(views.SetPasswordModel{}))
}

func (h *Handler) setPasswordSubmit(c echo.Context) error {
	loginID := c.FormValue("login_id")
	f := passwordChangeForm{fields: setPasswordFields, New: c.FormValue(setPasswordFields.New),
		Confirm: c.FormValue(setPasswordFields.Confirm)}
	errs := f.Validate(loginID)
	delete(errs, setPasswordFields.Current) // there is no current password here
	if msg := web.CheckText(loginID, true, 64); !msg.Empty() {
		errs["login_id"] = msg
	}
	if msg := web.CheckText(c.FormValue("code"), true, 64); !msg.Empty() {
		errs["code"] = msg
	}
	page := func(status int, errs web.FieldErrors) error {
		m := views.SetPasswordModel{FieldErrors: errs}
		if errs["login_id"].Empty() {
			m.LoginID = loginID
		}
		return web.Render(c, status, views.SetPasswordPage(m))
	}
	if len(errs) > 0 {
		return page(http.StatusUnprocessableEntity, errs)
	}
	err := h.MFA.SetPasswordWithCode(c.Request().Context(), mfa.SetPasswordInput{LoginID: loginID,
		Code: c.FormValue("code"), NewPassword: f.New, ClientIP: c.RealIP()})
	switch {
	case errors.Is(err, mfa.ErrAddressThrottled):
		return errAddressThrottled
	case errors.Is(err, mfa.ErrBusy):
		return web.Busy(c)
	case errors.Is(err, mfa.ErrBadSetCode):
		return page(http.StatusUnauthorized, web.FieldErrors{"code": views.Message{Key: "ui.set_password.error"}})
	}
	if status, field, msg := passwordChangeRefusal(err, setPasswordFields, f.New); field != "" {
		return page(status, web.FieldErrors{field: msg})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login?notice=reset")
}
