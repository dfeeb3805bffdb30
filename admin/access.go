package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/rbac"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// authorize is the one middleware that applies the policy to every
// console route (deny by default), then keeps a staff member who must
// choose their own password on that page (staff_password.go).
func (h *Handler) authorize() echo.MiddlewareFunc {
	policy := h.RBAC.Middleware(h.subject, h.deny)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return policy(h.requireOwnPassword(next))
	}
}

// subject tells the policy who the request is. The staff member's role,
// organisation and active flag come from the database on every request
// (docs/security.md S29): a removed role or a deactivation counts at once.
func (h *Handler) subject(c echo.Context) (rbac.Subject, error) {
	ctx := c.Request().Context()
	s := web.Current(c)
	if s == nil || s.StaffID == 0 {
		cs, err := h.CustomerSessions.Peek(c)
		if err != nil {
			return rbac.Subject{}, err
		}
		if cs != nil && cs.CustomerID != 0 {
			c.Set(customerKey, cs.CustomerID)
			return rbac.Subject{Name: rbac.Customer}, nil
		}
		return rbac.Subject{Name: rbac.Anonymous}, nil
	}
	st, err := h.DB.StaffByID(ctx, s.StaffID)
	if errors.Is(err, data.ErrNotFound) || (err == nil && !st.Active) {
		return rbac.Subject{Name: rbac.Anonymous}, h.Sessions.End(c)
	}
	if err != nil {
		return rbac.Subject{}, err
	}
	c.Set(staffKey, st)
	if s.PasskeySetup() {
		return rbac.Subject{Name: passkeySetup, Org: st.OrgID}, nil
	}
	if s.Level != data.LevelFull {
		return rbac.Subject{Name: rbac.Pending, Org: st.OrgID}, nil
	}
	user := views.ConsoleUser{Login: st.LoginID, Name: st.Name, Role: st.Role, OrgName: st.OrgName}
	if !st.MustChangePassword {
		user.Nav = h.nav(st) // else only the password page opens
	}
	c.SetRequest(c.Request().WithContext(views.WithConsoleUser(ctx, user)))
	if err := h.withPendingCount(c, st); err != nil {
		return rbac.Subject{}, err
	}
	return rbac.Subject{Name: st.Role, Org: st.OrgID}, nil
}

const customerKey = "admin.customer"

// deny answers a refused request: someone not logged in is sent to log
// in; everyone else gets 403, and staff and customers' refusals are audited.
func (h *Handler) deny(c echo.Context, s rbac.Subject) error {
	get := c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead
	switch {
	case s.Name == rbac.Anonymous && get:
		return c.Redirect(http.StatusSeeOther, "/console/login")
	case s.Name == rbac.Pending && get:
		return c.Redirect(http.StatusSeeOther, "/console/login/totp")
	case s.Name == passkeySetup && get:
		return redirectNotice(c, "/console/account/passkeys", "required")
	case s.Name == rbac.Anonymous:
		return errForbidden
	case mustChangePassword(c):
		return redirectNotice(c, passwordPage, "required")
	}
	e := data.AuditEvent{ActorKind: "customer", Actor: "customer", ClientIP: c.RealIP(), Action: "console.denied", Outcome: "refused"}
	if st := staff(c); st != nil {
		e = event(c, "console.denied", "refused")
	} else if id, ok := c.Get(customerKey).(int64); ok {
		e.CustomerID = id
	}
	e.Detail = c.Request().Method + " " + c.Path()
	if err := h.audit(c.Request().Context(), e); err != nil {
		return err
	}
	return errForbidden
}

// nav is the menu: the pages the staff member's role may open.
func (h *Handler) nav(st *data.Staff) []views.NavLink {
	var out []views.NavLink
	for _, l := range []views.NavLink{
		{Href: "/console/cases", Label: "ui.console.nav.cases"},
		{Href: "/console/customers", Label: "ui.console.nav.customers"},
		{Href: "/console/partner/find", Label: "ui.console.nav.partner_find"},
		{Href: "/console/requests", Label: "ui.console.nav.requests"},
		{Href: "/console/letters", Label: "ui.console.nav.letters"},
		{Href: "/console/audit", Label: "ui.console.nav.audit"},
		{Href: "/console/reports", Label: "ui.console.nav.reports"},
		{Href: "/console/staff", Label: "ui.console.nav.staff"},
		{Href: "/console/oidc-clients", Label: "ui.console.nav.oidc_clients"},
		{Href: "/console/account/passkeys", Label: "ui.console.nav.passkeys"},
		{Href: "/console/account/password", Label: "ui.console.nav.password"},
	} {
		if h.RBAC.Allow(st.Role, st.OrgID, l.Href, http.MethodGet) {
			out = append(out, l)
		}
	}
	return out
}

const caseKey = "admin.case"

// loadCase loads the case of the route's :id and checks the staff member
// may work on it (support.MayWorkOn). Any other case
// answers as if it did not exist, so guessing ids tells nothing.
func (h *Handler) loadCase(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, ok := parseID(c.Param("id"))
		if !ok {
			return errNotFound
		}
		supportCase, err := h.DB.CaseByID(c.Request().Context(), id)
		if errors.Is(err, data.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if !support.MayWorkOn(staff(c), supportCase) {
			e := event(c, "console.denied", "refused:case")
			e.CaseID, e.Detail = supportCase.ID, c.Request().Method+" "+c.Path()
			if err := h.audit(c.Request().Context(), e); err != nil {
				return err
			}
			return errNotFound
		}
		c.Set(caseKey, supportCase)
		// Nobody works a case on their own brokerage account: no
		// verification, no action (they may still read where it stands).
		if c.Request().Method != http.MethodGet && support.IsOwnAccount(staff(c), supportCase.CustomerID) {
			e := event(c, "console.denied", "refused:own_account")
			e.CaseID, e.CustomerID, e.Detail = supportCase.ID, supportCase.CustomerID, c.Request().Method+" "+c.Path()
			if err := h.audit(c.Request().Context(), e); err != nil {
				return err
			}
			return redirectNotice(c, caseHref(supportCase.ID), "own_account")
		}
		return next(c)
	}
}

func currentCase(c echo.Context) *data.Case {
	supportCase, _ := c.Get(caseKey).(*data.Case)
	return supportCase
}

// requireStrong lets through only a case with a strong identity
// verification that still counts (knowledge alone never does, docs/security.md S31).
func (h *Handler) requireStrong(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		supportCase := currentCase(c)
		strength, err := h.Support.CaseStrength(c.Request().Context(), supportCase)
		if err != nil {
			return err
		}
		if strength != data.StrengthStrong {
			e := event(c, "console.denied", "refused:needs_strong_verification")
			e.CaseID, e.CustomerID, e.Detail = supportCase.ID, supportCase.CustomerID, c.Request().Method+" "+c.Path()
			if err := h.audit(c.Request().Context(), e); err != nil {
				return err
			}
			return errNeedsStrong
		}
		return next(c)
	}
}

var errNeedsStrong = &web.UserError{Status: http.StatusForbidden, Title: "ui.console.error.needs_strong_title",
	Message: "ui.console.error.needs_strong"}

func caseHref(id int64) string { return "/console/cases/" + strconv.FormatInt(id, 10) }
