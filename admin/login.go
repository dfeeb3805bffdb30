package admin

import (
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// loginForm is the console's first step.
type loginForm struct {
	LoginID  string
	Password string
}

func (f loginForm) Validate() web.FieldErrors {
	errs := web.FieldErrors{}
	if msg := web.CheckText(f.LoginID, true, 64); !msg.Empty() {
		errs["login_id"] = msg
	}
	if msg := web.CheckText(f.Password, true, 256); !msg.Empty() {
		errs["password"] = msg
	}
	return errs
}

const badCredentials = "ui.console.login.bad_credentials"

func (h *Handler) loginForm(c echo.Context) error {
	// A session waiting for its TOTP may start over, as someone else too.
	if s := web.Current(c); s != nil && s.StaffID != 0 && s.Level == data.LevelFull {
		return c.Redirect(http.StatusSeeOther, "/console")
	}
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	m := views.ConsoleLoginModel{}
	switch c.QueryParam("notice") {
	case "logout":
		m.Info = "ui.console.login.logged_out"
	case "passkey_added":
		m.Info = "ui.staff_passkeys.notice.login_with_passkey"
	}
	return web.Render(c, http.StatusOK, views.ConsoleLoginPage(m))
}

func (h *Handler) loginSubmit(c echo.Context) error {
	f := loginForm{LoginID: c.FormValue("login_id"), Password: c.FormValue("password")}
	if errs := f.Validate(); len(errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleLoginPage(views.ConsoleLoginModel{FieldErrors: errs}))
	}
	ctx := c.Request().Context()
	st, err := h.Support.CheckStaffPassword(ctx, f.LoginID, f.Password, c.RealIP(), h.device().Presented(c))
	switch {
	case errors.Is(err, mfa.ErrAddressThrottled), errors.Is(err, mfa.ErrBadCredentials):
		return web.Render(c, http.StatusUnauthorized, views.ConsoleLoginPage(views.ConsoleLoginModel{
			LoginID: f.LoginID, FormError: badCredentials}))
	case errors.Is(err, mfa.ErrBusy):
		return web.Busy(c)
	case err != nil:
		return err
	}
	if err := h.Support.BeginStaffEnrolment(ctx, st); err != nil {
		return err
	}
	if _, err := h.Sessions.Start(c, web.Principal{StaffID: st.ID}, data.LevelPassword, "totp"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/login/totp")
}

func (h *Handler) totpForm(c echo.Context) error {
	m, err := h.totpModel(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ConsoleTOTPPage(m))
}

// totpModel is the second step; a staff member without an authenticator
// sees the QR code and key to enrol one. One with a passkey is offered
// it, and while passkeys are required it is the only way in.
func (h *Handler) totpModel(c echo.Context) (views.ConsoleTOTPModel, error) {
	st := staff(c)
	required, hasKey, err := h.passkeyRule(c, st)
	if err != nil {
		return views.ConsoleTOTPModel{}, err
	}
	base := views.ConsoleTOTPModel{Passkey: hasKey, PasskeyOnly: required && hasKey, SetupNext: required && !hasKey}
	if st.HasTOTP() {
		return base, nil
	}
	secret, uri, err := h.Support.StaffEnrolment(st)
	if err != nil {
		return views.ConsoleTOTPModel{}, err
	}
	png, err := mfa.QRCodePNG(uri, 240)
	if err != nil {
		return views.ConsoleTOTPModel{}, err
	}
	base.Enrol, base.Secret = true, secret
	base.QRData = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	return base, nil
}

// passkeyRule says whether admins require passkeys for staff and whether
// this staff member has one.
func (h *Handler) passkeyRule(c echo.Context, st *data.Staff) (required, hasKey bool, err error) {
	ctx := c.Request().Context()
	if required, err = h.Support.StaffPasskeysRequired(ctx); err != nil {
		return false, false, err
	}
	hasKey, err = h.Support.StaffHasPasskey(ctx, st.ID)
	return required, hasKey, err
}

// totpMessages are the TOTP step's refusals, with message keys.
var totpMessages = []struct {
	err    error
	status int
	msg    string
}{
	{mfa.ErrMalformedCode, http.StatusUnprocessableEntity, "ui.console.totp.malformed"},
	{mfa.ErrWrongCode, http.StatusUnauthorized, "ui.console.totp.wrong"},
	{mfa.ErrNoCode, http.StatusUnauthorized, "ui.console.totp.wrong"},
}

func (h *Handler) totpSubmit(c echo.Context) error {
	st := staff(c)
	required, hasKey, err := h.passkeyRule(c, st)
	if err != nil {
		return err
	}
	if required && hasKey {
		// Checked before the code, so a refused TOTP login spends no code.
		if err := h.audit(c.Request().Context(), event(c, "staff.login.totp", "refused:passkey_required")); err != nil {
			return err
		}
		m, err := h.totpModel(c)
		if err != nil {
			return err
		}
		m.Error = "ui.staff_passkeys.check.use_passkey"
		return web.Render(c, http.StatusForbidden, views.ConsoleTOTPPage(m))
	}
	err = h.Support.VerifyStaffTOTP(c.Request().Context(), st.ID, c.FormValue("code"), c.RealIP())
	if errors.Is(err, mfa.ErrLocked) {
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return &web.UserError{Status: http.StatusForbidden, Title: "ui.console.totp.locked_title",
			Message: "ui.console.totp.locked"}
	}
	for _, tm := range totpMessages {
		if errors.Is(err, tm.err) {
			m, merr := h.totpModel(c)
			if merr != nil {
				return merr
			}
			m.Error = tm.msg
			return web.Render(c, tm.status, views.ConsoleTOTPPage(m))
		}
	}
	if err != nil {
		return err
	}
	if required {
		// TOTP no longer completes a login: without a passkey the staff
		// member gets a session that reaches only registration and logout.
		if _, err := h.Sessions.Start(c, web.Principal{StaffID: st.ID}, data.LevelPassword, data.MethodPasskeySetup); err != nil {
			return err
		}
		if err := h.audit(c.Request().Context(), event(c, "staff.login.passkey_setup", "restricted")); err != nil {
			return err
		}
		return redirectNotice(c, "/console/account/passkeys", "required")
	}
	if _, err := h.Sessions.Start(c, web.Principal{StaffID: st.ID}, data.LevelFull, "totp"); err != nil {
		return err
	}
	if err := h.rememberDevice(c, st); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console")
}

// device is the browser's device cookie for the console (web.DeviceCookie).
func (h *Handler) device() web.DeviceCookie {
	if h.Sessions.Secure {
		return web.DeviceCookie{Name: "__Host-mfadesk_staff_device", Secure: true}
	}
	return web.DeviceCookie{Name: "mfadesk_staff_device"}
}

// rememberDevice records the browser of a completed console login, so
// the per-address password limit no longer holds it for this staff
// member.
func (h *Handler) rememberDevice(c echo.Context, st *data.Staff) error {
	device, err := h.device().Ensure(c)
	if err != nil {
		return err
	}
	return h.Support.RememberStaffDevice(c.Request().Context(), st.ID, device)
}

func (h *Handler) logout(c echo.Context) error {
	if st := staff(c); st != nil {
		if err := h.audit(c.Request().Context(), event(c, "staff.logout", "success")); err != nil {
			return err
		}
	}
	if err := h.Sessions.End(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/login?notice=logout")
}
