package admin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The supervisors' queue of four-eyes requests. Supervisors of the support
// centre decide requests from every organisation, partner shops included:
// the shops' staff always need their approval (docs/design.md §3).

const requestListLimit = 200

// requestNotices are the fixed messages (keys) of the queue's redirects.
var requestNotices = map[string]struct{ kind, msg string }{
	"approved":        {"info", "ui.console.requests.notice.approved"},
	"rejected":        {"info", "ui.console.requests.notice.rejected"},
	"own_request":     {"error", "ui.console.requests.notice.own_request"},
	"own_account":     {"error", "ui.console.requests.notice.own_account"},
	"expired":         {"error", "ui.console.requests.notice.expired"},
	"decided":         {"error", "ui.console.requests.notice.decided"},
	"reason_required": {"error", "ui.console.requests.notice.reason_required"},
}

func (h *Handler) requests(c echo.Context) error {
	ctx := c.Request().Context()
	reqs, err := h.DB.PendingRequests(ctx, h.DB.Now(), requestListLimit)
	if err != nil {
		return err
	}
	m := views.ConsoleRequestsModel{}
	for _, r := range reqs {
		m.Requests = append(m.Requests, requestRow(&r, h.DB.Now()))
	}
	if n, ok := requestNotices[c.QueryParam("notice")]; ok {
		if n.kind == "info" {
			m.Info = n.msg
		} else {
			m.Error = n.msg
		}
	}
	return web.Render(c, http.StatusOK, views.ConsoleRequestsPage(m))
}

func (h *Handler) approveRequest(c echo.Context) error { return h.decide(c, true) }

func (h *Handler) rejectRequest(c echo.Context) error { return h.decide(c, false) }

// decisionNotices name the queue's notice for each refusal of a decision.
var decisionNotices = []errNotice{
	{support.ErrOwnRequest, "own_request"},
	{support.ErrOwnAccount, "own_account"},
	{support.ErrRequestExpired, "expired"},
	{support.ErrRequestDecided, "decided"},
	{support.ErrReasonRequired, "reason_required"},
}

func (h *Handler) decide(c echo.Context, approve bool) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errRequestNotFound
	}
	err := h.Support.Decide(c.Request().Context(), support.Decision{Staff: staff(c), ClientIP: c.RealIP(), RequestID: id,
		Approve: approve, Reason: c.FormValue("reason")})
	switch {
	case errors.Is(err, data.ErrNotFound):
		return errRequestNotFound
	case errors.Is(err, support.ErrNotApprover):
		return errForbidden
	case err == nil && approve:
		return redirectNotice(c, "/console/requests", "approved")
	case err == nil:
		return redirectNotice(c, "/console/requests", "rejected")
	}
	if notice, ok := noticeFor(err, decisionNotices); ok {
		return redirectNotice(c, "/console/requests", notice)
	}
	return err
}

var errRequestNotFound = &web.UserError{Status: http.StatusNotFound, Title: "ui.console.error.not_found_title",
	Message: "ui.console.error.request_not_found"}

// requestRow describes a request for a list; a new contact is masked.
func requestRow(r *data.ActionRequest, now time.Time) views.RequestRow {
	row := views.RequestRow{ID: r.ID, Action: "/console/requests/" + strconv.FormatInt(r.ID, 10),
		CaseHref: caseHref(r.CaseID), Kind: r.Kind, Customer: r.CustomerName, Requester: r.RequesterLogin,
		Status: r.StatusAt(now), Reason: r.Reason, Created: r.CreatedAt, Expires: r.ExpiresAt}
	switch r.Kind {
	case data.RequestReset:
		row.Remove, row.TempPass = r.Remove, r.TempPass
	case data.RequestContact:
		row.ContactKind, row.ContactMasked = r.ContactKind, contact.Mask(r.ContactKind, r.ContactValue)
	}
	return row
}
