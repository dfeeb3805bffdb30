package admin

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/views"
	"mfadesk/web"
)

// The lockout lists: customers the next enforcement phase shuts out, for
// outreach by letter or phone. Contact data is always masked here, also
// in the export: outreach staff look the customer up in a case to reach
// them, which is audited per customer.

const (
	lockoutPageSize = 50
	// lockoutExportChunk is how many rows the export reads per query, so
	// a list of a million customers streams without being held in memory.
	lockoutExportChunk = 1000
)

// lockoutLists are the lists offered: customers without a valid email
// always (email_required_from), customers without a passkey only when
// interim_methods_until is configured.
func (h *Handler) lockoutLists() []views.LockoutList {
	cfg := h.Support.Config
	lists := []views.LockoutList{{Name: data.LockoutNoEmail, Phase: cfg.EmailRequiredFrom,
		InForce: !h.DB.Now().Before(cfg.EmailRequiredFrom)}}
	if !cfg.InterimMethodsUntil.IsZero() {
		lists = append(lists, views.LockoutList{Name: data.LockoutNoPasskey, Phase: cfg.InterimMethodsUntil,
			InForce: !h.DB.Now().Before(cfg.InterimMethodsUntil)})
	}
	return lists
}

// chosenList is the list the query names, or the first one offered.
func (h *Handler) chosenList(c echo.Context) views.LockoutList {
	if l, ok := h.listNamed(c.QueryParam("list")); ok {
		return l
	}
	return h.lockoutLists()[0]
}

// listNamed is the offered list of that name.
func (h *Handler) listNamed(name string) (views.LockoutList, bool) {
	for _, l := range h.lockoutLists() {
		if l.Name == name {
			return l, true
		}
	}
	return views.LockoutList{}, false
}

func (h *Handler) reportsLockouts(c echo.Context) error {
	ctx := c.Request().Context()
	list := h.chosenList(c)
	after, _ := parseID(c.QueryParam("after"))
	found, err := h.DB.LockoutCustomers(ctx, list.Name, after, lockoutPageSize)
	if err != nil {
		return err
	}
	if err := h.reportEvent(c, "report.view",
		"report=lockouts list="+list.Name+" after="+strconv.FormatInt(after, 10)); err != nil {
		return err
	}
	q := url.Values{"list": {list.Name}}
	m := views.LockoutsModel{Lists: h.lockoutLists(), List: list, CSVHref: "/console/reports/lockouts.csv?" + q.Encode()}
	if st := staff(c); h.RBAC.Allow(st.Role, st.OrgID, "/console/reports/outreach", http.MethodGet) {
		m.OutreachHref = outreachHref(list.Name, "")
	}
	for _, lc := range found {
		m.Customers = append(m.Customers, views.LockoutRow{AccountNumber: lc.AccountNumber, Name: lc.NameKanji,
			Kana: lc.NameKana, Category: lc.Category, Email: contact.MaskEmail(lc.Email), Phone: contact.MaskPhone(lc.Phone)})
	}
	if after > 0 {
		m.FirstHref = "/console/reports/lockouts?" + q.Encode()
	}
	if len(found) == lockoutPageSize {
		q.Set("after", strconv.FormatInt(found[len(found)-1].ID, 10))
		m.NextHref = "/console/reports/lockouts?" + q.Encode()
	}
	return web.Render(c, http.StatusOK, views.ReportsLockoutsPage(m))
}

// startExcelCSV starts a CSV download named name that Excel in Japan
// opens as it is: UTF-8 behind a byte order mark (without one Excel reads
// Shift_JIS), CRLF line ends.
func startExcelCSV(c echo.Context, name string) (*csv.Writer, error) {
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if _, err := c.Response().Write([]byte("\uFEFF")); err != nil {
		return nil, err
	}
	w := csv.NewWriter(c.Response())
	w.UseCRLF = true
	return w, nil
}

// reportsLockoutsCSV exports the whole list for outreach: UTF-8 with a
// byte order mark, which Excel in Japan needs to read it as UTF-8 rather
// than Shift_JIS.
func (h *Handler) reportsLockoutsCSV(c echo.Context) error {
	ctx := c.Request().Context()
	list := h.chosenList(c)
	text := func(key string) string { return web.Text(c, key) }
	if err := h.reportEvent(c, "report.export", "report=lockouts list="+list.Name); err != nil {
		return err
	}
	w, err := startExcelCSV(c, "lockouts-"+list.Name+"-"+day(h.DB.Now())+".csv")
	if err != nil {
		return err
	}
	phase := list.Phase.In(jst.Zone).Format(time.DateOnly)
	w.Write([]string{text("ui.console.reports.lockouts.col.account"), text("ui.console.reports.lockouts.col.name"),
		text("ui.console.reports.lockouts.col.kana"), text("ui.console.reports.lockouts.col.category"),
		text("ui.console.reports.lockouts.col.email"), text("ui.console.reports.lockouts.col.phone"),
		text("ui.console.reports.lockouts.col.phase")})
	var after int64
	for {
		found, err := h.DB.LockoutCustomers(ctx, list.Name, after, lockoutExportChunk)
		if err != nil {
			// The header is sent: the truncated file is all that can be
			// done, and the error is logged by the error handler.
			return err
		}
		for _, lc := range found {
			w.Write(csvSafe(lc.AccountNumber, lc.NameKanji, lc.NameKana, text(views.CategoryKey(lc.Category)),
				contact.MaskEmail(lc.Email), contact.MaskPhone(lc.Phone), phase))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		if len(found) < lockoutExportChunk {
			return nil
		}
		after = found[len(found)-1].ID
	}
}
