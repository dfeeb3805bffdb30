package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// loginPasswordFields and tradingPasswordFields are the field names of
// the two password forms (functions, so nothing can change them).
func loginPasswordFields() views.PasswordFields {
	return views.PasswordFields{Current: "current_password", New: "new_password", Confirm: "new_password_confirm"}
}

func tradingPasswordFields() views.PasswordFields {
	return views.PasswordFields{Current: "current_trading_password", New: "new_trading_password",
		Confirm: "new_trading_password_confirm"}
}

// passwordNotice is the fixed message (key) the redirect after a change
// may ask for; the query names one, it never carries text.
func passwordNotice(name string) string {
	switch name {
	case string(mfa.PasswordLogin):
		return "ui.password.notice.login"
	case string(mfa.PasswordTrading):
		return "ui.password.notice.trading"
	}
	return ""
}

// passwordChangeForm is one of the two forms, whichever was posted.
type passwordChangeForm struct {
	fields  views.PasswordFields
	Current string
	New     string
	Confirm string
}

func readPasswordChangeForm(c echo.Context, fields views.PasswordFields) passwordChangeForm {
	return passwordChangeForm{fields: fields, Current: c.FormValue(fields.Current),
		New: c.FormValue(fields.New), Confirm: c.FormValue(fields.Confirm)}
}

// Validate checks what can be checked without the stored password; the
// rules for the new one are mfa's, with the login ID as a context word.
func (f passwordChangeForm) Validate(loginID string) web.FieldErrors {
	errs := web.FieldErrors{}
	if msg := web.CheckText(f.Current, true, maxPasswordLen); !msg.Empty() {
		errs[f.fields.Current] = msg
	}
	web.CheckNewPassword(errs, f.fields.New, f.fields.Confirm, f.New, f.Confirm, loginID)
	return errs
}

func (h *Handler) passwordForm(c echo.Context) error {
	m := views.PasswordModel{Info: passwordNotice(c.QueryParam("notice"))}
	return h.renderPasswordPage(c, http.StatusOK, m)
}

func (h *Handler) renderPasswordPage(c echo.Context, status int, m views.PasswordModel) error {
	return web.Render(c, status, views.PasswordPage(m, loginPasswordFields(), tradingPasswordFields()))
}

func (h *Handler) loginPasswordSubmit(c echo.Context) error {
	return h.changePassword(c, mfa.PasswordLogin, loginPasswordFields())
}

func (h *Handler) tradingPasswordSubmit(c echo.Context) error {
	return h.changePassword(c, mfa.PasswordTrading, tradingPasswordFields())
}

// changePassword handles either form: validate, let mfa check the current
// password and make the change, then redirect or re-render with the
// refusal beside its field.
func (h *Handler) changePassword(c echo.Context, kind mfa.PasswordKind, fields views.PasswordFields) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	f := readPasswordChangeForm(c, fields)
	if errs := f.Validate(customer.LoginID); len(errs) > 0 {
		return h.renderPasswordPage(c, http.StatusUnprocessableEntity, views.PasswordModel{FieldErrors: errs})
	}
	err = h.MFA.ChangePassword(c.Request().Context(), mfa.PasswordChange{Customer: customer, Kind: kind,
		Current: f.Current, New: f.New, SessionHash: web.Current(c).IDHash, ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrBusy) {
		return web.Busy(c)
	}
	status, field, msg := passwordChangeRefusal(err, fields, f.New)
	if field != "" {
		return h.renderPasswordPage(c, status, views.PasswordModel{FieldErrors: web.FieldErrors{field: msg}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/password?notice="+string(kind))
}

// passwordChangeRefusal maps a refusal to its status, field and message;
// field is "" for success or an internal error.
func passwordChangeRefusal(err error, fields views.PasswordFields, newPassword string) (status int, field string, msg views.Message) {
	var pe *mfa.PasswordPolicyError
	switch {
	case errors.Is(err, mfa.ErrWrongCurrentPassword):
		return http.StatusUnauthorized, fields.Current, views.Message{Key: "ui.password.error.wrong_current"}
	case errors.Is(err, mfa.ErrPasswordThrottled):
		return http.StatusTooManyRequests, fields.Current, views.Message{Key: "ui.password.error.throttled"}
	case errors.Is(err, mfa.ErrSamePassword):
		return http.StatusUnprocessableEntity, fields.New, views.Message{Key: "ui.password.error.same"}
	case errors.Is(err, mfa.ErrSameAsOtherPassword):
		return http.StatusUnprocessableEntity, fields.New, views.Message{Key: "ui.password.error.same_as_other"}
	case errors.As(err, &pe):
		return http.StatusUnprocessableEntity, fields.New, policyMessage(pe, newPassword)
	}
	return 0, "", views.Message{}
}

// policyMessage is the message for a refused new password (web.PasswordPolicyMessage).
func policyMessage(pe *mfa.PasswordPolicyError, pw string) views.Message {
	return web.PasswordPolicyMessage(pe, pw)
}
