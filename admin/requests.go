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
	cards, err := h.DB.PendingRequestCards(ctx, h.DB.Now(), requestListLimit)
	if err != nil {
		return err
	}
	m := views.ConsoleRequestsModel{}
	if m.Requests, err = h.requestCards(c, cards); err != nil {
		return err
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
	case data.RequestAddress:
		row.ContactMasked = contact.MaskAddress(r.Address)
	}
	return row
}

// requestCards describes the queue's requests with their context. The
// customer shows masked, as to anyone without a strong verification; the
// case links only for an approver who may open it (support.MayWorkOn).
func (h *Handler) requestCards(c echo.Context, cards []data.RequestCard) ([]views.RequestCard, error) {
	caseIDs := make([]int64, 0, len(cards))
	for _, k := range cards {
		caseIDs = append(caseIDs, k.CaseID)
	}
	checks, err := h.DB.CaseChecks(c.Request().Context(), caseIDs)
	if err != nil {
		return nil, err
	}
	byCase := map[int64][]views.CheckRow{}
	for _, v := range checks {
		byCase[v.CaseID] = append(byCase[v.CaseID], checkRow(v))
	}
	out := make([]views.RequestCard, 0, len(cards))
	for _, k := range cards {
		card := views.RequestCard{Request: requestRow(&k.ActionRequest, h.DB.Now()), CaseID: k.CaseID,
			CaseReason: k.CaseReason, CaseChannel: k.CaseChannel, RequesterName: k.RequesterName, RequesterOrg: k.RequesterOrg,
			Customer: customerRow(data.CustomerMatch{ID: k.CustomerID, AccountNumber: k.AccountNumber,
				NameKanji: k.CustomerName, NameKana: k.NameKana, Email: k.Email, Phone: k.Phone}),
			Checks: byCase[k.CaseID]}
		if support.MayWorkOn(staff(c), &data.Case{ID: k.CaseID, OrgID: k.CaseOrgID, StaffID: k.CaseStaffID}) {
			card.CaseHref = caseHref(k.CaseID)
		}
		out = append(out, card)
	}
	return out, nil
}

// withPendingCount puts the number of requests waiting into the page
// context of a staff member who decides them, for the header
// (views.PendingRequestsLink): one count over an index, on GET requests only.
func (h *Handler) withPendingCount(c echo.Context, st *data.Staff) error {
	if c.Request().Method != http.MethodGet || !support.MayDecide(st.Role) {
		return nil
	}
	ctx := c.Request().Context()
	n, err := h.DB.PendingRequestCount(ctx, h.DB.Now())
	if err != nil {
		return err
	}
	c.SetRequest(c.Request().WithContext(views.WithPendingRequests(ctx, n)))
	return nil
}
