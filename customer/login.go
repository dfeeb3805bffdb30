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

// loginForm is the first step's form: login_id and password.
type loginForm struct {
	LoginID  string
	Password string
}

// Passwords are bounded so argon2id work per request is bounded too; the
// limit is far above the 64 characters NIST asks us to accept.
const maxPasswordLen = 256

func (f loginForm) Validate() web.FieldErrors {
	errs := web.FieldErrors{}
	if msg := web.CheckText(f.LoginID, true, 64); !msg.Empty() {
		errs["login_id"] = msg
	}
	if msg := web.CheckText(f.Password, true, maxPasswordLen); !msg.Empty() {
		errs["password"] = msg
	}
	return errs
}

// badCredentials is one message for unknown ID, wrong password and
// throttled account, so the page never tells which it was.
const badCredentials = "ui.login.bad_credentials"

func (h *Handler) loginForm(c echo.Context) error {
	if s := web.Current(c); s != nil && s.Level == data.LevelFull {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	m := views.LoginModel{}
	switch c.QueryParam("notice") {
	case "logout":
		m.Info = "ui.login.logged_out"
	case "reset":
		m.Info = "ui.login.reset_done"
	}
	return web.Render(c, http.StatusOK, views.LoginPage(m))
}

func (h *Handler) loginSubmit(c echo.Context) error {
	f := loginForm{LoginID: c.FormValue("login_id"), Password: c.FormValue("password")}
	if errs := f.Validate(); len(errs) > 0 {
		m := views.LoginModel{FieldErrors: errs}
		if errs["login_id"].Empty() {
			m.LoginID = f.LoginID
		}
		return web.Render(c, http.StatusUnprocessableEntity, views.LoginPage(m))
	}
	ctx := c.Request().Context()
	customer, err := h.MFA.CheckLoginPassword(ctx, f.LoginID, f.Password, c.RealIP(), h.device().Presented(c))
	switch {
	case errors.Is(err, mfa.ErrAddressThrottled):
		return errAddressThrottled
	case errors.Is(err, mfa.ErrBadCredentials):
		return web.Render(c, http.StatusUnauthorized, views.LoginPage(views.LoginModel{LoginID: f.LoginID, FormError: badCredentials}))
	case errors.Is(err, mfa.ErrBusy):
		return web.Busy(c)
	case err != nil:
		return err
	}

	plan, err := h.MFA.PlanLogin(ctx, customer)
	if err != nil {
		return err
	}
	switch {
	case plan.Blocked:
		if err := h.audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: customer.LoginID, CustomerID: customer.ID,
			Action: "login", Outcome: "blocked:" + plan.BlockedReason, ClientIP: c.RealIP()}); err != nil {
			return err
		}
		return web.Render(c, http.StatusForbidden, views.BlockedPage(views.BlockedModel{Since: plan.BlockedSince, Reason: plan.BlockedReason}))
	case !plan.LockedUntil.IsZero():
		return web.Render(c, http.StatusForbidden, views.LockedPage(views.LockedModel{Until: plan.LockedUntil}))
	case !plan.Required():
		next, err := h.completeLogin(c, customer, "password")
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, next)
	}

	method := plan.Methods[0]
	sess, err := h.Sessions.Start(c, web.Principal{CustomerID: customer.ID}, data.LevelPassword, string(method))
	if err != nil {
		return err
	}
	if method == mfa.MethodSMS || method == mfa.MethodEmail {
		// A cool-down left by an earlier attempt is not an error here: the
		// page offers to send when it ends.
		if err := h.MFA.SendLoginCode(ctx, customer, sess.IDHash, method); err != nil && !isSendThrottle(err) {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/login/verify")
}

func isSendThrottle(err error) bool {
	return errors.Is(err, mfa.ErrResendTooSoon) || errors.Is(err, mfa.ErrSendLimit)
}

func (h *Handler) logout(c echo.Context) error {
	s := web.Current(c)
	if err := h.Sessions.End(c); err != nil {
		return err
	}
	if err := h.audit(c.Request().Context(), data.AuditEvent{ActorKind: "customer", Actor: "customer",
		CustomerID: s.CustomerID, Action: "logout", Outcome: "success", ClientIP: c.RealIP()}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login?notice=logout")
}
