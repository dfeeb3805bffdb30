package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// Reports (docs/design.md §3) for supervisors, admins and auditors: MFA adoption
// over time, support actions by organisation, and the customers a coming
// enforcement phase locks out. Every view and export is audited, since
// they read customer data in bulk.

const (
	adoptionDefaultDays = 90
	actionsDefaultDays  = 30
	// actionsMaxDays bounds the period of the actions report to a year.
	actionsMaxDays = 366
)

// adoptionPeriods are the chart's choices of days.
func adoptionPeriods() []int { return []int{30, 90, 180, 365} }

// day is t's date in JST, the programme's zone, as YYYY-MM-DD.
func day(t time.Time) string { return support.ReportDay(t) }

// reportEvent records that someone read or exported a report, and which.
func (h *Handler) reportEvent(c echo.Context, action, detail string) error {
	e := event(c, action, "success")
	e.Detail = detail
	return h.audit(c.Request().Context(), e)
}

func (h *Handler) reportsIndex(c echo.Context) error {
	// The index lists the reports and shows no data, so it is not audited.
	return web.Render(c, http.StatusOK, views.ReportsIndexPage())
}

func (h *Handler) reportsAdoption(c echo.Context) error {
	ctx := c.Request().Context()
	days := adoptionDefaultDays
	if v := c.QueryParam("days"); v != "" {
		days = 0
		for _, d := range adoptionPeriods() {
			if v == fmt.Sprint(d) {
				days = d
			}
		}
		if days == 0 {
			days = adoptionDefaultDays
		}
	}
	now := h.DB.Now()
	counts, err := h.Support.SnapshotAdoption(ctx)
	if err != nil {
		return err
	}
	from, to := day(now.AddDate(0, 0, 1-days)), day(now)
	snaps, err := h.DB.AdoptionSnapshots(ctx, from, to)
	if err != nil {
		return err
	}
	if err := h.reportEvent(c, "report.view", fmt.Sprintf("report=adoption days=%d", days)); err != nil {
		return err
	}
	m := views.AdoptionModel{Days: days, Periods: adoptionPeriods(), From: from, To: to,
		Chart: adoptionChart(now, days, snaps)}
	total := 0
	for _, n := range counts {
		total += n
	}
	for _, cat := range data.AdoptionCategories() {
		m.Current = append(m.Current, views.AdoptionShare{Category: cat, Customers: counts[cat], Permille: permille(counts[cat], total)})
	}
	m.Total = total
	for _, s := range snaps {
		row := views.AdoptionRow{Day: s.Day}
		for _, cat := range data.AdoptionCategories() {
			row.Counts = append(row.Counts, s.Counts[cat])
		}
		m.Rows = append(m.Rows, row)
	}
	return web.Render(c, http.StatusOK, views.ReportsAdoptionPage(m))
}

// permille is n of total in tenths of a percent, rounded.
func permille(n, total int) int {
	if total == 0 {
		return 0
	}
	return (n*1000 + total/2) / total
}

// actionColumn is one column of the actions report: an audit action with
// one result. Resets and contact changes by roles that need approval are
// "requested" first; the approver's run of them is "success". A contact
// change carried out, directly or after approval, is audited as
// "contact.change", not as the "support.contact_change" of its request.
type actionColumn struct {
	action, result string
	views.ActionsColumn
}

func actionColumns() []actionColumn {
	return []actionColumn{
		{"support.reset", "success", views.ActionsColumn{ID: "reset_done", Key: "ui.console.reports.actions.col.reset_done"}},
		{"support.reset", "requested", views.ActionsColumn{ID: "reset_requested", Key: "ui.console.reports.actions.col.reset_requested"}},
		{"temp_pass.issue", "success", views.ActionsColumn{ID: "temp_pass", Key: "ui.console.reports.actions.col.temp_pass"}},
		{"contact.change", "success", views.ActionsColumn{ID: "contact_done", Key: "ui.console.reports.actions.col.contact_done"}},
		{"support.contact_change", "requested", views.ActionsColumn{ID: "contact_requested", Key: "ui.console.reports.actions.col.contact_requested"}},
		{"support.unlock", "success", views.ActionsColumn{ID: "unlock", Key: "ui.console.reports.actions.col.unlock"}},
		{"request.approve", "success", views.ActionsColumn{ID: "approve", Key: "ui.console.reports.actions.col.approve"}},
		{"request.reject", "success", views.ActionsColumn{ID: "reject", Key: "ui.console.reports.actions.col.reject"}},
		{"", "refused", views.ActionsColumn{ID: "refused", Key: "ui.console.reports.actions.col.refused"}}, // any of the actions, refused
	}
}

// parseActionsPeriod reads the period (JST dates, both included) and
// returns it with the field errors.
func parseActionsPeriod(c echo.Context, now time.Time) (views.ActionsForm, time.Time, time.Time, web.FieldErrors) {
	form := views.ActionsForm{From: c.QueryParam("from"), To: c.QueryParam("to")}
	if form.To == "" {
		form.To = day(now)
	}
	if form.From == "" {
		form.From = day(now.AddDate(0, 0, 1-actionsDefaultDays))
	}
	errs := web.FieldErrors{}
	from, err := time.ParseInLocation(time.DateOnly, form.From, jst.Zone)
	if err != nil {
		errs["from"] = views.Message{Key: "ui.console.reports.error.date"}
	}
	to, err := time.ParseInLocation(time.DateOnly, form.To, jst.Zone)
	if err != nil {
		errs["to"] = views.Message{Key: "ui.console.reports.error.date"}
	}
	to = to.AddDate(0, 0, 1) // the "to" day is included
	if len(errs) == 0 && !from.Before(to) {
		errs["to"] = views.Message{Key: "ui.console.reports.error.order"}
	}
	if len(errs) == 0 && to.Sub(from) > actionsMaxDays*24*time.Hour {
		errs["from"] = views.Message{Key: "ui.console.reports.error.too_long"}
	}
	return form, from, to, errs
}

func (h *Handler) reportsActions(c echo.Context) error {
	form, from, to, errs := parseActionsPeriod(c, h.DB.Now())
	m := views.ActionsModel{Form: form, FieldErrors: errs}
	for _, col := range actionColumns() {
		m.Columns = append(m.Columns, col.ActionsColumn)
	}
	if len(errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ReportsActionsPage(m))
	}
	ctx := c.Request().Context()
	counts, err := h.DB.SupportActionCounts(ctx, from, to)
	if err != nil {
		return err
	}
	if err := h.reportEvent(c, "report.view", "report=actions from="+form.From+" to="+form.To); err != nil {
		return err
	}
	m.Rows, m.Totals = actionRows(counts)
	return web.Render(c, http.StatusOK, views.ReportsActionsPage(m))
}

// actionRows pivots the counts into one row per organisation with a cell
// per column, and the column totals.
func actionRows(counts []data.ActionCount) ([]views.ActionsRow, []int) {
	cols := actionColumns()
	totals := make([]int, len(cols)+1)
	var rows []views.ActionsRow
	for _, n := range counts {
		if len(rows) == 0 || rows[len(rows)-1].OrgID != n.OrgID {
			rows = append(rows, views.ActionsRow{OrgID: n.OrgID, OrgName: n.OrgName, Counts: make([]int, len(cols)+1)})
		}
		row := &rows[len(rows)-1]
		for i, col := range cols {
			if n.Result == col.result && (col.action == "" || n.Action == col.action) {
				row.Counts[i] += n.Count
				row.Counts[len(cols)] += n.Count
				totals[i] += n.Count
				totals[len(cols)] += n.Count
			}
		}
	}
	return rows, totals
}
