package admin

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

const caseListLimit = 100

func (h *Handler) home(c echo.Context) error {
	st := staff(c)
	m := views.ConsoleHomeModel{ShowCases: h.RBAC.Allow(st.Role, st.OrgID, "/console/cases", http.MethodGet)}
	if h.RBAC.Allow(st.Role, st.OrgID, "/console/audit", http.MethodGet) {
		m.LimitRefusalsHref = "/console/audit?action=" + url.QueryEscape(support.ActionAttemptLimit)
	}
	if m.ShowCases {
		rows, err := h.caseRows(c, st)
		if err != nil {
			return err
		}
		m.Cases = rows
	}
	return web.Render(c, http.StatusOK, views.ConsoleHomePage(m))
}

func (h *Handler) cases(c echo.Context) error {
	rows, err := h.caseRows(c, staff(c))
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ConsoleCasesPage(views.ConsoleCasesModel{Cases: rows}))
}

// caseRows lists the open cases the staff member may work on, the same
// rule as loadCase: partners their own, others their organisation's,
// admins everyone's.
func (h *Handler) caseRows(c echo.Context, st *data.Staff) ([]views.CaseRow, error) {
	scope := data.CaseScope{OrgID: st.OrgID}
	switch st.Role {
	case support.RolePartner:
		scope = data.CaseScope{StaffID: st.ID}
	case support.RoleAdmin:
		scope = data.CaseScope{}
	}
	cases, err := h.DB.OpenCases(c.Request().Context(), scope, caseListLimit)
	if err != nil {
		return nil, err
	}
	rows := make([]views.CaseRow, 0, len(cases))
	for _, supportCase := range cases {
		rows = append(rows, caseRow(&supportCase))
	}
	return rows, nil
}

func caseRow(supportCase *data.Case) views.CaseRow {
	return views.CaseRow{ID: supportCase.ID, Href: caseHref(supportCase.ID), CustomerName: supportCase.CustomerName, Channel: supportCase.Channel,
		Reason: supportCase.Reason, Status: supportCase.Status, StaffLogin: supportCase.StaffLogin, OpenedAt: supportCase.OpenedAt}
}
