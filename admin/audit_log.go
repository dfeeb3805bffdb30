package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

const (
	auditPageSize = 50
	// auditExportLimit bounds one CSV export; narrower filters get the rest.
	auditExportLimit = 100_000
)

// parseAuditFilter reads the auditors' filter from the query string. Staff
// and customers are named as people know them: a staff member's login ID,
// a customer's account number or login ID; cases by their number.
func parseAuditFilter(c echo.Context) (views.AuditFilterForm, data.AuditFilter, web.FieldErrors) {
	form := views.AuditFilterForm{Staff: c.QueryParam("staff"), Customer: c.QueryParam("customer"), Case: c.QueryParam("case"),
		Action: c.QueryParam("action"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	var f data.AuditFilter
	errs := web.FieldErrors{}
	for _, who := range []struct {
		field, value string
		out          *string
	}{{"staff", form.Staff, &f.StaffLogin}, {"customer", form.Customer, &f.Customer}} {
		if msg := web.CheckText(who.value, false, 64); !msg.Empty() {
			errs[who.field] = msg
		} else {
			*who.out = mfa.NormalizeLoginID(who.value)
		}
	}
	if form.Case != "" {
		if n, ok := parseID(form.Case); ok {
			f.CaseID = n
		} else {
			errs["case"] = views.Message{Key: "ui.console.audit.not_number"}
		}
	}
	if msg := web.CheckText(form.Action, false, 64); !msg.Empty() {
		errs["action"] = msg
	} else {
		f.Action = form.Action
	}
	for _, d := range []struct {
		field, value string
		out          *time.Time
		days         int
	}{{"from", form.From, &f.From, 0}, {"to", form.To, &f.To, 1}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.value, jst.Zone)
		if err != nil {
			errs[d.field] = views.Message{Key: "ui.console.audit.bad_date"}
			continue
		}
		*d.out = t.AddDate(0, 0, d.days) // "to" includes its whole day
	}
	return form, f, errs
}

func (h *Handler) auditLog(c echo.Context) error {
	form, f, errs := parseAuditFilter(c)
	m := views.ConsoleAuditModel{Filter: form, FieldErrors: errs, CSVHref: "/console/audit.csv?" + filterQuery(form).Encode()}
	if len(errs) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleAuditPage(m))
	}
	if before, ok := parseID(c.QueryParam("before")); ok {
		f.BeforeID = before
	}
	f.Limit = auditPageSize
	ctx := c.Request().Context()
	events, err := h.DB.AuditEventsListed(ctx, f)
	if err != nil {
		return err
	}
	if err := h.audit(ctx, auditReadEvent(c, "audit.view", form)); err != nil {
		return err
	}
	for _, e := range events {
		m.Events = append(m.Events, auditRow(e))
	}
	// One message whether or not the customer exists, so the filter tells
	// nothing the trail itself does not.
	switch {
	case len(events) == 0 && f.Customer != "":
		m.EmptyKey = "ui.console.audit.none_customer"
	case len(events) == 0:
		m.EmptyKey = "ui.console.audit.none"
	}
	if len(events) == auditPageSize {
		q := filterQuery(form)
		q.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
		m.NextHref = "/console/audit?" + q.Encode()
	}
	return web.Render(c, http.StatusOK, views.ConsoleAuditPage(m))
}

func (h *Handler) auditCSV(c echo.Context) error {
	form, f, errs := parseAuditFilter(c)
	if len(errs) > 0 {
		return &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.console.error.audit_filter_title",
			Message: "ui.console.error.audit_filter"}
	}
	f.Limit = auditExportLimit
	ctx := c.Request().Context()
	events, err := h.DB.AuditEventsListed(ctx, f)
	if err != nil {
		return err
	}
	if err := h.audit(ctx, auditReadEvent(c, "audit.export", form)); err != nil {
		return err
	}
	w, err := startExcelCSV(c, "audit-"+day(h.DB.Now())+".csv")
	if err != nil {
		return err
	}
	// The header row names the columns by their codes, in every language:
	// scripts and spreadsheets read it, and the values are codes too. The
	// time column names its zone, so nobody takes it for UTC.
	w.Write([]string{"id", "at_jst_utc+09:00", "actor_kind", "actor", "staff_role", "staff_org", "case_id",
		"account_number", "action", "outcome", "client_ip", "detail", "staff_id", "customer_id", "prev_hash", "hash"})
	for _, e := range events {
		w.Write(csvSafe(strconv.FormatInt(e.ID, 10), views.AuditTime(e.At), e.ActorKind, e.Actor, e.StaffRole, e.StaffOrg,
			idText(e.CaseID), e.AccountNumber, e.Action, e.Outcome, e.ClientIP, e.Detail,
			idText(e.StaffID), idText(e.CustomerID), e.PrevHash, e.Hash))
	}
	w.Flush()
	return w.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(cells ...string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

func filterQuery(f views.AuditFilterForm) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"staff": f.Staff, "customer": f.Customer, "case": f.Case, "action": f.Action,
		"from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// auditReadEvent records that someone read the trail, and with which filter.
func auditReadEvent(c echo.Context, action string, f views.AuditFilterForm) data.AuditEvent {
	e := event(c, action, "success")
	e.Detail = strconv.QuoteToGraphic(filterQuery(f).Encode())
	return e
}

func auditRow(e data.ListedAuditEvent) views.AuditRow {
	return views.AuditRow{ID: e.ID, At: e.At, Actor: e.ActorKind + ":" + e.Actor,
		Role: e.StaffRole, Org: e.StaffOrg, Case: idText(e.CaseID), Customer: e.AccountNumber, Action: e.Action,
		Outcome: e.Outcome, ClientIP: e.ClientIP, Detail: e.Detail}
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}
