package admin

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// staffNotices are the fixed messages (keys) of the staff page's redirects.
var staffNotices = map[string]string{
	"role":        "ui.console.staff.notice.role",
	"deactivated": "ui.console.staff.notice.deactivated",
	"totp_reset":  "ui.console.staff.notice.totp_reset",
	"settings":    "ui.staff_passkeys.setting.saved",
}

func (h *Handler) staffList(c echo.Context) error {
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	m.Info = staffNotices[c.QueryParam("notice")]
	if c.QueryParam("notice") == "own" {
		m.Error = "ui.console.staff.notice.own"
	}
	return web.Render(c, http.StatusOK, views.ConsoleStaffPage(m))
}

func (h *Handler) staffModel(c echo.Context) (views.ConsoleStaffModel, error) {
	ctx := c.Request().Context()
	list, err := h.DB.ListStaff(ctx)
	if err != nil {
		return views.ConsoleStaffModel{}, err
	}
	orgs, err := h.DB.Organisations(ctx)
	if err != nil {
		return views.ConsoleStaffModel{}, err
	}
	passkeys, err := h.DB.CountStaffPasskeys(ctx)
	if err != nil {
		return views.ConsoleStaffModel{}, err
	}
	required, err := h.MFA.StaffPasskeysRequired(ctx)
	if err != nil {
		return views.ConsoleStaffModel{}, err
	}
	m := views.ConsoleStaffModel{FieldErrors: map[string]string{}, RequirePasskeys: required}
	for _, s := range list {
		m.Staff = append(m.Staff, views.StaffRow{ID: s.ID, Login: s.LoginID, Name: s.Name, Role: s.Role, OrgID: s.OrgID,
			OrgName: s.OrgName, Active: s.Active, HasTOTP: s.HasTOTP(), Passkeys: passkeys[s.ID], Self: s.ID == staff(c).ID})
	}
	for _, r := range data.Roles() {
		m.Roles = append(m.Roles, views.Option{Value: r, Label: views.RoleKey(r)})
	}
	for _, o := range orgs {
		m.Orgs = append(m.Orgs, views.Option{Value: o.ID, Label: o.Name})
	}
	return m, nil
}

// validRoleAndOrg checks a role and organisation picked from the form's lists.
func validRoleAndOrg(m views.ConsoleStaffModel, role, org string) bool {
	hasOrg := slices.ContainsFunc(m.Orgs, func(o views.Option) bool { return o.Value == org })
	return hasOrg && slices.Contains(data.Roles(), role)
}

func (h *Handler) staffCreate(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	m.Form = views.NewStaffForm{Login: mfa.NormalizeLoginID(c.FormValue("login_id")), Name: c.FormValue("name"),
		Role: c.FormValue("role"), Org: c.FormValue("org")}
	if msg := web.CheckText(m.Form.Login, true, 64); msg != "" {
		m.FieldErrors["login_id"] = msg
	} else if _, err := h.DB.StaffByLogin(ctx, m.Form.Login); err == nil {
		m.FieldErrors["login_id"] = "ui.console.staff.login_taken"
	} else if !errors.Is(err, data.ErrNotFound) {
		return err
	}
	if msg := web.CheckText(m.Form.Name, true, 64); msg != "" {
		m.FieldErrors["name"] = msg
	}
	if !validRoleAndOrg(m, m.Form.Role, m.Form.Org) {
		m.Error = "ui.console.staff.bad_role_org"
	}
	if len(m.FieldErrors) > 0 || m.Error != "" {
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleStaffPage(m))
	}
	_, password, err := h.MFA.CreateStaff(ctx, mfa.NewStaff{LoginID: m.Form.Login, Name: m.Form.Name,
		Role: m.Form.Role, OrgID: m.Form.Org}, event(c, "", ""))
	if err != nil {
		return err
	}
	// The page shows the password this once; it is not stored anywhere readable.
	created := &views.CreatedStaff{Login: m.Form.Login, Password: password}
	if m, err = h.staffModel(c); err != nil {
		return err
	}
	m.Created = created
	return web.Render(c, http.StatusOK, views.ConsoleStaffPage(m))
}

func (h *Handler) staffRole(c echo.Context) error {
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	role, org := c.FormValue("role"), c.FormValue("org")
	if !validRoleAndOrg(m, role, org) {
		return &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.console.error.staff_role_title",
			Message: "ui.console.error.staff_role"}
	}
	return h.staffChange(c, "role", func(id int64) error {
		return h.MFA.SetStaffRole(c.Request().Context(), staff(c), c.RealIP(), id, role, org)
	})
}

func (h *Handler) staffDeactivate(c echo.Context) error {
	return h.staffChange(c, "deactivated", func(id int64) error {
		return h.MFA.DeactivateStaff(c.Request().Context(), staff(c), c.RealIP(), id)
	})
}

func (h *Handler) staffResetTOTP(c echo.Context) error {
	return h.staffChange(c, "totp_reset", func(id int64) error {
		return h.MFA.ResetStaffTOTP(c.Request().Context(), staff(c), c.RealIP(), id)
	})
}

func (h *Handler) staffChange(c echo.Context, notice string, change func(id int64) error) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errNotFound
	}
	err := change(id)
	switch {
	case errors.Is(err, mfa.ErrOwnAccount):
		return redirectNotice(c, "/console/staff", "own")
	case errors.Is(err, data.ErrNotFound):
		return errNotFound
	case err != nil:
		return err
	}
	return redirectNotice(c, "/console/staff", notice)
}
