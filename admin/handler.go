// Package admin is the support console's HTTP surface: thin handlers that
// parse forms, call support and data, and render views. Who may reach which
// route is decided by the casbin policy in rbac, applied in routes.go.
package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/idp"
	"mfadesk/rbac"
	"mfadesk/support"
	"mfadesk/web"
)

// Handler holds what the console's handlers need; main wires it.
type Handler struct {
	DB       *data.DB
	Support  *support.Service
	RBAC     *rbac.Enforcer
	Sessions *web.Sessions // the console's own sessions
	// CustomerSessions recognises a customer's session, which the console
	// refuses on every route.
	CustomerSessions *web.Sessions
	// OIDCClients registers the OpenID Connect provider's relying parties.
	OIDCClients *idp.Clients
}

const staffKey = "admin.staff"

// staff is the logged-in (or pending) staff member, loaded from the
// database on this request by authorize.
func staff(c echo.Context) *data.Staff {
	st, _ := c.Get(staffKey).(*data.Staff)
	return st
}

// event starts an audit event by the request's staff member.
func event(c echo.Context, action, outcome string) data.AuditEvent {
	e := support.StaffEvent(staff(c), c.RealIP())
	e.Action, e.Outcome = action, outcome
	return e
}

func (h *Handler) audit(ctx context.Context, e data.AuditEvent) error {
	return h.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) })
}

// redirectNotice sends the browser back to path with one of the page's
// fixed notices; the query names it, it never carries text.
func redirectNotice(c echo.Context, path, notice string) error {
	return c.Redirect(http.StatusSeeOther, path+"?notice="+notice)
}

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// The console's error pages; Title and Message are message keys, which
// the error page translates.

var errForbidden = &web.UserError{Status: http.StatusForbidden, Title: "ui.console.error.forbidden_title",
	Message: "ui.console.error.forbidden"}

var errNotFound = &web.UserError{Status: http.StatusNotFound, Title: "ui.console.error.not_found_title",
	Message: "ui.console.error.case_not_found"}
