package admin

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// staffNotices are the fixed messages (keys) of the staff page's redirects.
var staffNotices = map[string]string{
	"role":           "ui.console.staff.notice.role",
	"role_requested": "ui.console.staff.notice.role_requested",
	"confirmed":      "ui.console.staff.notice.confirmed",
	"cancelled":      "ui.console.staff.notice.cancelled",
	"linked":         "ui.console.staff.notice.linked",
	"deactivated":    "ui.console.staff.notice.deactivated",
	"totp_reset":     "ui.console.staff.notice.totp_reset",
	"settings":       "ui.staff_passkeys.setting.saved",
	"org_created":    "ui.staff_orgs.notice.created",
	"org_renamed":    "ui.staff_orgs.notice.renamed",
}

// staffErrors are the staff page's refusals: the notice a redirect names
// and the message it shows.
var staffErrors = []struct {
	err            error
	notice, msgKey string
}{
	{support.ErrOwnAccount, "own", "ui.console.staff.notice.own"},
	{support.ErrOwnRequest, "own_request", "ui.console.staff.notice.own_request"},
	{support.ErrNothingPending, "nothing_pending", "ui.console.staff.notice.nothing_pending"},
	{support.ErrUnknownAccount, "unknown_account", "ui.console.staff.notice.unknown_account"},
	{support.ErrNeedsSecondFactor, "needs_second_factor", "ui.staff_password.notice.needs_second_factor"},
	{support.ErrTemporaryPassword, "temporary_password", "ui.staff_password.notice.temporary_password"},
}

// staffRefusal is the notice naming err if it is one of the staff page's
// refusals, else "".
func staffRefusal(err error) string {
	for _, e := range staffErrors {
		if errors.Is(err, e.err) {
			return e.notice
		}
	}
	return ""
}

func (h *Handler) staffList(c echo.Context) error {
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	m.Info = staffNotices[c.QueryParam("notice")]
	for _, e := range staffErrors {
		if c.QueryParam("notice") == e.notice {
			m.Error = e.msgKey
		}
	}
	if c.QueryParam("notice") == "org_name_bad" {
		m.Error = "ui.staff_orgs.error.name"
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
	required, err := h.Support.StaffPasskeysRequired(ctx)
	if err != nil {
		return views.ConsoleStaffModel{}, err
	}
	m := views.ConsoleStaffModel{FieldErrors: web.FieldErrors{}, RequirePasskeys: required}
	logins, orgNames := map[int64]string{}, map[string]string{}
	for _, s := range list {
		logins[s.ID] = s.LoginID
	}
	for _, o := range orgs {
		orgNames[o.ID] = o.Name
	}
	me := staff(c).ID
	for _, s := range list {
		row := views.StaffRow{ID: s.ID, Login: s.LoginID, Name: s.Name, Role: s.Role, OrgID: s.OrgID,
			OrgName: s.OrgName, Active: s.Active, HasTOTP: s.HasTOTP(), Passkeys: passkeys[s.ID], Self: s.ID == me,
			CustomerAccount: s.CustomerAccount}
		if s.PendingKind != "" {
			row.Pending = &views.PendingStaffChange{Kind: s.PendingKind, Role: s.PendingRole, OrgName: orgNames[s.PendingOrg],
				ByLogin: logins[s.PendingBy], MayConfirm: s.PendingBy != me}
		}
		m.Staff = append(m.Staff, row)
	}
	for _, r := range support.Roles() {
		m.Roles = append(m.Roles, views.Option{Value: r, Label: views.RoleKey(r)})
	}
	for _, o := range orgs {
		m.Orgs = append(m.Orgs, views.Option{Value: o.ID, Label: o.Name})
		m.Organisations = append(m.Organisations, views.OrgRow{ID: o.ID, Name: o.Name, Kind: o.Kind})
	}
	for _, k := range []string{support.OrgCentre, support.OrgPartner, support.OrgCompliance} {
		m.Kinds = append(m.Kinds, views.Option{Value: k, Label: "ui.staff_orgs.kind." + k})
	}
	return m, nil
}

// validRoleAndOrg checks a role and organisation picked from the form's lists.
func validRoleAndOrg(m views.ConsoleStaffModel, role, org string) bool {
	return validOrg(m, org) && slices.Contains(support.Roles(), role)
}

func validOrg(m views.ConsoleStaffModel, org string) bool {
	return slices.ContainsFunc(m.Orgs, func(o views.Option) bool { return o.Value == org })
}

func (h *Handler) staffCreate(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	m.Form = views.NewStaffForm{Login: mfa.NormalizeLoginID(c.FormValue("login_id")), Name: c.FormValue("name"),
		Role: c.FormValue("role"), Org: c.FormValue("org"), Customer: strings.TrimSpace(c.FormValue("customer_account"))}
	if msg := web.CheckText(m.Form.Login, true, 64); !msg.Empty() {
		m.FieldErrors["login_id"] = msg
	} else if _, err := h.DB.StaffByLogin(ctx, m.Form.Login); err == nil {
		m.FieldErrors["login_id"] = views.Message{Key: "ui.console.staff.login_taken"}
	} else if !errors.Is(err, data.ErrNotFound) {
		return err
	}
	if msg := web.CheckText(m.Form.Name, true, 64); !msg.Empty() {
		m.FieldErrors["name"] = msg
	}
	if msg := web.CheckText(m.Form.Customer, false, 16); !msg.Empty() {
		m.FieldErrors["customer_account"] = msg
	}
	// No role or organisation is chosen for the admin: a missing one is
	// the field's error, and the page keeps everything else typed.
	if !slices.Contains(support.Roles(), m.Form.Role) {
		m.FieldErrors["role"] = views.Message{Key: "ui.staff_lifecycle.choose_role"}
	}
	if !validOrg(m, m.Form.Org) {
		m.FieldErrors["org"] = views.Message{Key: "ui.staff_lifecycle.choose_org"}
	}
	if len(m.FieldErrors) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleStaffPage(m))
	}
	_, password, err := h.Support.CreateStaff(ctx, support.NewStaff{LoginID: m.Form.Login, Name: m.Form.Name,
		Role: m.Form.Role, OrgID: m.Form.Org, CustomerAccount: m.Form.Customer}, event(c, "", ""))
	if errors.Is(err, support.ErrUnknownAccount) {
		m.FieldErrors["customer_account"] = views.Message{Key: "ui.console.staff.notice.unknown_account"}
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleStaffPage(m))
	}
	if err != nil {
		return err
	}
	// The page shows the password this once; it is not stored anywhere readable.
	created := &views.CreatedStaff{Login: m.Form.Login, Password: password, Pending: support.NeedsSecondAdmin("", m.Form.Role)}
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
	return h.staffChange(c, func(id int64) (string, error) {
		waits, err := h.Support.SetStaffRole(c.Request().Context(), staff(c), c.RealIP(), id, role, org)
		if waits {
			return "role_requested", err
		}
		return "role", err
	})
}

// staffConfirm carries out a creation or promotion another admin asked for.
func (h *Handler) staffConfirm(c echo.Context) error {
	return h.staffChange(c, func(id int64) (string, error) {
		return "confirmed", h.Support.ConfirmStaffChange(c.Request().Context(), staff(c), c.RealIP(), id)
	})
}

func (h *Handler) staffCancel(c echo.Context) error {
	return h.staffChange(c, func(id int64) (string, error) {
		return "cancelled", h.Support.CancelStaffChange(c.Request().Context(), staff(c), c.RealIP(), id)
	})
}

// staffLink records the staff member's own brokerage account by account
// number (empty removes it).
func (h *Handler) staffLink(c echo.Context) error {
	account := strings.TrimSpace(c.FormValue("customer_account"))
	if !web.CheckText(account, false, 16).Empty() {
		return redirectNotice(c, "/console/staff", "unknown_account")
	}
	return h.staffChange(c, func(id int64) (string, error) {
		return "linked", h.Support.LinkStaffCustomer(c.Request().Context(), id, account, event(c, "", ""))
	})
}

func (h *Handler) staffDeactivate(c echo.Context) error {
	return h.staffChange(c, func(id int64) (string, error) {
		return "deactivated", h.Support.DeactivateStaff(c.Request().Context(), staff(c), c.RealIP(), id)
	})
}

func (h *Handler) staffResetTOTP(c echo.Context) error {
	return h.staffChange(c, func(id int64) (string, error) {
		return "totp_reset", h.Support.ResetStaffTOTP(c.Request().Context(), staff(c), c.RealIP(), id)
	})
}

// staffChange runs change on the staff member of the path and sends the
// browser back to the list with the notice change names, or its refusal's.
func (h *Handler) staffChange(c echo.Context, change func(id int64) (string, error)) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errNotFound
	}
	notice, err := change(id)
	if refusal := staffRefusal(err); refusal != "" {
		return redirectNotice(c, "/console/staff", refusal)
	}
	switch {
	case errors.Is(err, data.ErrNotFound):
		return errNotFound
	case err != nil:
		return err
	}
	return redirectNotice(c, "/console/staff", notice)
}
