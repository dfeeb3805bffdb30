package customer

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// 「パスワードをお忘れの方」: login ID and birth date, then a passkey or
// the strongest code factor, then the new password (docs/security.md S63). The state
// between the steps is an anonymous session (web.StartAnonymous) whose
// method says the step: resetPrefix+method while the factor is asked
// for, resetPassed once it passed.
const (
	resetPrefix = "reset:"
	resetPassed = "reset:passed"
)

// forgotForm is the first step as typed.
type forgotForm struct {
	LoginID   string
	BirthDate string
}

func (f forgotForm) Validate() web.FieldErrors {
	errs := web.FieldErrors{}
	if msg := web.CheckText(f.LoginID, true, 64); !msg.Empty() {
		errs["login_id"] = msg
	}
	if msg := web.CheckText(f.BirthDate, true, 10); !msg.Empty() {
		errs["birth_date"] = msg
	} else if _, err := time.Parse(time.DateOnly, f.BirthDate); err != nil {
		errs["birth_date"] = views.Message{Key: "ui.forgot.error.birth_date"}
	}
	return errs
}

func (h *Handler) forgotForm(c echo.Context) error {
	if s := web.Current(c); s != nil && s.Level == data.LevelFull {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ForgotPage(views.ForgotModel{}))
}

// forgotSubmit answers every login ID and birth date alike: a new session
// and the same next page; only a match sends a code.
func (h *Handler) forgotSubmit(c echo.Context) error {
	f := forgotForm{LoginID: c.FormValue("login_id"), BirthDate: strings.TrimSpace(c.FormValue("birth_date"))}
	if errs := f.Validate(); len(errs) > 0 {
		m := views.ForgotModel{FieldErrors: errs}
		if errs["login_id"].Empty() {
			m.LoginID = f.LoginID
		}
		return web.Render(c, http.StatusUnprocessableEntity, views.ForgotPage(m))
	}
	ctx := c.Request().Context()
	customer, method, err := h.MFA.StartPasswordReset(ctx, mfa.ResetStart{LoginID: f.LoginID, BirthDate: f.BirthDate,
		ClientIP: c.RealIP()})
	switch {
	case errors.Is(err, mfa.ErrAddressThrottled):
		return errAddressThrottled
	case err != nil:
		return err
	}
	var customerID int64
	if customer != nil {
		customerID = customer.ID
	}
	sess, err := h.Sessions.StartAnonymous(c, customerID, resetPrefix+string(method))
	if err != nil {
		return err
	}
	if method == mfa.MethodSMS || method == mfa.MethodEmail {
		// A cool-down, an hourly cap or a factor without a number is not
		// told apart: the page is the same either way.
		err := h.MFA.SendResetCode(ctx, customer, sess.IDHash, method)
		if err != nil && !isSendThrottle(err) && !errors.Is(err, mfa.ErrMethodNotAllowed) {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/login/forgot/verify")
}

// resetSession is the request's reset session at a step (resetPassed, or
// "" for the factor step), or nil.
func resetSession(c echo.Context, passed bool) *data.Session {
	s := web.Current(c)
	if s == nil || s.Level != data.LevelAnonymous || !strings.HasPrefix(s.Method, resetPrefix) {
		return nil
	}
	if (s.Method == resetPassed) != passed {
		return nil
	}
	return s
}

func (h *Handler) forgotVerifyForm(c echo.Context) error {
	if resetSession(c, false) == nil {
		return c.Redirect(http.StatusSeeOther, "/login/forgot")
	}
	return web.Render(c, http.StatusOK, views.ForgotVerifyPage(views.ForgotVerifyModel{
		Info: forgotResendNotices[c.QueryParam("notice")]}))
}

// forgotVerifySubmit checks the code. Every refusal, including a lock and
// details that never matched, reads the same.
func (h *Handler) forgotVerifySubmit(c echo.Context) error {
	s := resetSession(c, false)
	if s == nil {
		return c.Redirect(http.StatusSeeOther, "/login/forgot")
	}
	refused := func() error {
		return web.Render(c, http.StatusUnauthorized, views.ForgotVerifyPage(views.ForgotVerifyModel{Error: "ui.forgot.verify.error"}))
	}
	method := mfa.Method(strings.TrimPrefix(s.Method, resetPrefix))
	if method == mfa.MethodNone || method == mfa.MethodPasskey || s.CustomerID == 0 {
		return refused()
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.VerifyReset(c.Request().Context(), customer, s.IDHash, method, c.FormValue("code"), c.RealIP())
	if _, _, ok := codeMessage(err); ok || errors.Is(err, mfa.ErrLocked) {
		return refused()
	}
	if err != nil {
		return err
	}
	if _, err := h.Sessions.StartAnonymous(c, customer.ID, resetPassed); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login/forgot/password")
}

func (h *Handler) forgotPasswordForm(c echo.Context) error {
	if resetSession(c, true) == nil {
		return c.Redirect(http.StatusSeeOther, "/login/forgot")
	}
	return web.Render(c, http.StatusOK, views.ForgotPasswordPage(views.ForgotPasswordModel{}))
}

// forgotPasswordSubmit sets the new password (mfa.ResetPassword ends every
// session, this one too) and sends the customer to log in.
func (h *Handler) forgotPasswordSubmit(c echo.Context) error {
	if resetSession(c, true) == nil {
		return c.Redirect(http.StatusSeeOther, "/login/forgot")
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	fields := views.PasswordFields{New: "new_password", Confirm: "new_password_confirm"}
	f := passwordChangeForm{fields: fields, New: c.FormValue(fields.New), Confirm: c.FormValue(fields.Confirm)}
	errs := f.Validate(customer.LoginID)
	delete(errs, fields.Current) // there is no current password here
	if len(errs) == 0 {
		err = h.MFA.ResetPassword(c.Request().Context(), customer.ID, f.New, c.RealIP())
		if errors.Is(err, mfa.ErrBusy) {
			return web.Busy(c)
		}
		if status, field, msg := passwordChangeRefusal(err, fields, f.New); field != "" {
			return web.Render(c, status, views.ForgotPasswordPage(views.ForgotPasswordModel{FieldErrors: web.FieldErrors{field: msg}}))
		}
		if err != nil {
			return err
		}
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/login?notice=reset")
	}
	return web.Render(c, http.StatusUnprocessableEntity, views.ForgotPasswordPage(views.ForgotPasswordModel{FieldErrors: errs}))
}
