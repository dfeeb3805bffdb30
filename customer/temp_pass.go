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

// Login with a temporary access pass from support, and the rule that a
// customer who must enrol a factor first reaches nothing else.
//
// The pass goes through mfa.Verify as the login's second factor (method
// temp_pass, use login), so it shares the lock with every other entry
// point and is refused where only a passkey passes login (docs/security.md S42).
// It does not consult the login plan: a customer blocked for having no
// valid email is exactly who support gives a pass to. The session it
// starts has a fresh "mfa" step-up, so the enrolment pages, which ask for
// one, work without another second factor the customer no longer has.

func (h *Handler) tempPassForm(c echo.Context) error {
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.TempPassLoginPage(views.TempPassLoginModel{}))
}

// badTempPass is one message for a wrong, expired or used pass and a
// wrong password, so the page never tells which it was.
const badTempPass = "ui.temp_pass.bad"

// errAddressThrottled answers a login from an address with too many
// recent failures, with a password or a temporary pass.
var errAddressThrottled = &web.UserError{Status: http.StatusTooManyRequests, Title: "ui.login.throttled.title",
	Message: "ui.login.throttled.message"}

func (h *Handler) tempPassSubmit(c echo.Context) error {
	f := loginForm{LoginID: c.FormValue("login_id"), Password: c.FormValue("password")}
	pass := c.FormValue("temp_pass")
	errs := f.Validate()
	if msg := web.CheckText(pass, true, 64); !msg.Empty() {
		errs["temp_pass"] = msg
	}
	m := views.TempPassLoginModel{LoginID: f.LoginID, FieldErrors: errs}
	if len(errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.TempPassLoginPage(m))
	}
	ctx := c.Request().Context()
	customer, err := h.MFA.CheckLoginPassword(ctx, f.LoginID, f.Password, c.RealIP(), h.device().Presented(c))
	switch {
	case errors.Is(err, mfa.ErrAddressThrottled):
		return errAddressThrottled
	case errors.Is(err, mfa.ErrBadCredentials):
		m.FormError = badTempPass
		return web.Render(c, http.StatusUnauthorized, views.TempPassLoginPage(m))
	case err != nil:
		return err
	}
	err = h.MFA.Verify(ctx, mfa.VerifyInput{Customer: customer, Purpose: mfa.PurposeLogin, Use: mfa.UseLogin,
		Method: mfa.MethodTempPass, Code: pass, ClientIP: c.RealIP()})
	switch {
	case errors.Is(err, mfa.ErrLocked):
		return h.lockedOut(c, customer)
	case errors.Is(err, mfa.ErrPasskeyRequired):
		m.FormError = "ui.temp_pass.passkey_required"
		return web.Render(c, http.StatusForbidden, views.TempPassLoginPage(m))
	case errors.Is(err, mfa.ErrWrongCode), errors.Is(err, mfa.ErrMalformedCode), errors.Is(err, mfa.ErrCodeExpired):
		m.FormError = badTempPass
		return web.Render(c, http.StatusUnauthorized, views.TempPassLoginPage(m))
	case err != nil:
		return err
	}
	if _, err := h.completeLogin(c, customer, mfa.MethodTempPass); err != nil {
		return err
	}
	if _, err := h.Sessions.StepUp(c, "mfa"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/mfa")
}

// enrolmentRoutes are what a customer who must enrol a factor first may
// use: the enrolment of an app, SMS or passkey, and the step-up those ask
// for (a pass never passes one). Logout is outside the logged-in routes.
var enrolmentRoutes = map[string]bool{
	"GET /settings/mfa":               true,
	"POST /settings/mfa/totp/start":   true,
	"GET /settings/mfa/totp":          true,
	"GET /settings/mfa/totp/qr.png":   true,
	"POST /settings/mfa/totp/confirm": true,
	"POST /settings/mfa/sms/send":     true,
	"GET /settings/mfa/sms":           true,
	"POST /settings/mfa/sms/confirm":  true,
	"GET /settings/passkeys":          true,
	"POST /settings/passkeys/options": true,
	"POST /settings/passkeys":         true,
	"GET /stepup":                     true,
	"POST /stepup":                    true,
	"POST /stepup/send":               true,
	"POST /stepup/method":             true,
	"POST /stepup/passkey/options":    true,
	"POST /stepup/passkey":            true,
}

// requireEnrolled keeps a session that must enrol a factor first on the
// enrolment pages: one that logged in with a temporary pass, until a
// factor made after the pass was used is confirmed (whatever else the
// customer has), and any session of a customer support reset, until they
// enrol again. Everything else, withdrawal included, is refused on the
// server: GETs go to the settings page, other requests get 403.
func (h *Handler) requireEnrolled(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if web.Current(c) == nil || enrolmentRoutes[c.Request().Method+" "+c.Path()] {
			return next(c)
		}
		mustEnrol, err := h.mustEnrol(c)
		switch {
		case err != nil:
			return err
		case !mustEnrol:
			return next(c)
		case c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead:
			return c.Redirect(http.StatusSeeOther, "/settings/mfa")
		}
		return errEnrolFirst
	}
}

// mustEnrol reports whether the request's session may only enrol a factor.
func (h *Handler) mustEnrol(c echo.Context) (bool, error) {
	s := web.Current(c)
	ctx := c.Request().Context()
	var mustEnrol bool
	var err error
	switch {
	case s.Method == string(mfa.MethodTempPass):
		// Not "has any factor": a reset of the app alone leaves the SMS
		// number, which the pass's holder may not have.
		mustEnrol, err = h.DB.TempPassEnrolmentPending(ctx, s.CustomerID)
	default:
		// Only a customer support has reset can owe an enrolment; the
		// row read here is the one the handler uses too.
		var cu *data.Customer
		if cu, err = h.customer(c); err == nil && !cu.MFAResetAt.IsZero() {
			mustEnrol, err = h.DB.ReenrolmentPending(ctx, s.CustomerID)
		}
	}
	if errors.Is(err, data.ErrNotFound) {
		return false, nil
	}
	return mustEnrol, err
}

var errEnrolFirst = &web.UserError{Status: http.StatusForbidden, Title: "ui.temp_pass.enrol_first.title",
	Message: "ui.temp_pass.enrol_first.message"}
