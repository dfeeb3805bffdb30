package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// passwordPage is every staff member's own password page; a staff member
// whose password someone else chose reaches nothing else.
const passwordPage = "/console/account/password"

// requireOwnPassword sends a logged-in staff member whose password was
// chosen by someone else (a new account, an admin's reset) to the
// password page from every route the policy lets through but that page
// and logout; deny does the same for the routes it refuses. It is a state
// of the account, read with the role on every request, not a policy
// subject: the policy still decides everything else.
func (h *Handler) requireOwnPassword(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if mustChangePassword(c) && c.Path() != passwordPage && c.Path() != "/console/logout" {
			return redirectNotice(c, passwordPage, "required")
		}
		return next(c)
	}
}

// mustChangePassword reports whether the request comes from a logged-in
// staff member (second factor passed) who must replace their password.
func mustChangePassword(c echo.Context) bool {
	st, s := staff(c), web.Current(c)
	return st != nil && st.MustChangePassword && s != nil && (s.Level == data.LevelFull || s.PasskeySetup())
}

func (h *Handler) staffPasswordPage(c echo.Context) error {
	m := views.ConsolePasswordModel{Forced: staff(c).MustChangePassword}
	if c.QueryParam("notice") == "changed" {
		m.Info = "ui.staff_password.notice.changed"
	}
	return web.Render(c, http.StatusOK, views.ConsolePasswordPage(m))
}

// staffPasswordSubmit replaces the staff member's password: the current
// one (or the one they were given) again, the new one twice.
func (h *Handler) staffPasswordSubmit(c echo.Context) error {
	st := staff(c)
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	errs := web.FieldErrors{}
	if msg := web.CheckText(current, true, mfa.MaxPasswordLen); !msg.Empty() {
		errs["current_password"] = msg
	}
	web.CheckNewPassword(errs, "new_password", "new_password_confirm", next, c.FormValue("new_password_confirm"), st.LoginID)
	if len(errs) == 0 {
		err := h.Support.ChangeStaffPassword(c.Request().Context(), support.StaffPasswordChange{Staff: st, Current: current,
			New: next, SessionHash: web.Current(c).IDHash, ClientIP: c.RealIP()})
		switch {
		case errors.Is(err, mfa.ErrBusy):
			return web.Busy(c)
		case errors.Is(err, mfa.ErrBadCredentials):
			errs["current_password"] = views.Message{Key: "ui.staff_password.error.wrong_current"}
		case errors.Is(err, mfa.ErrSamePassword):
			errs["new_password"] = views.Message{Key: "ui.password.error.same"}
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		status := http.StatusUnprocessableEntity
		if _, wrong := errs["current_password"]; wrong {
			status = http.StatusUnauthorized
		}
		return web.Render(c, status, views.ConsolePasswordPage(views.ConsolePasswordModel{Forced: st.MustChangePassword, FieldErrors: errs}))
	}
	if st.MustChangePassword {
		return c.Redirect(http.StatusSeeOther, "/console")
	}
	return redirectNotice(c, passwordPage, "changed")
}

// staffResetPassword gives another staff member a temporary password,
// shown once here to the admin: it is not stored anywhere readable.
func (h *Handler) staffResetPassword(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errNotFound
	}
	password, err := h.Support.ResetStaffPassword(c.Request().Context(), staff(c), c.RealIP(), id)
	if notice := staffRefusal(err); notice != "" {
		return redirectNotice(c, "/console/staff", notice)
	}
	switch {
	case errors.Is(err, mfa.ErrBusy):
		return web.Busy(c)
	case errors.Is(err, data.ErrNotFound):
		return errNotFound
	case err != nil:
		return err
	}
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	for _, s := range m.Staff {
		if s.ID == id {
			m.Reset = &views.ResetStaffPassword{Login: s.Login, Password: password}
		}
	}
	return web.Render(c, http.StatusOK, views.ConsoleStaffPage(m))
}
