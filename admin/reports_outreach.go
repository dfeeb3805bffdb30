package admin

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// Outreach from a lockout list (supervisors and admins): a dry run with
// the counts by channel, then a confirmed send of registration reminders
// through the outbox and, for customers with a postal address whom
// neither channel reaches, reminder letters in the print queue
// (support/outreach.go); those customers are also a CSV of account numbers.

// outreachNotices are the page's notices after a send: key, and whether
// it reports a refusal.
var outreachNotices = map[string]struct {
	key   string
	error bool
}{
	"sent":         {"ui.console.reports.outreach.notice.sent", false},
	"already_sent": {"ui.console.reports.outreach.notice.already_sent", true},
	"empty":        {"ui.console.reports.outreach.notice.empty", true},
	"confirm":      {"ui.console.reports.outreach.notice.confirm", true},
	"in_force":     {"ui.console.reports.outreach.notice.in_force", true},
}

func outreachHref(list, notice string) string {
	q := url.Values{"list": {list}}
	if notice != "" {
		q.Set("notice", notice)
	}
	return "/console/reports/outreach?" + q.Encode()
}

// reportsOutreach is the dry run: counts only, nothing queued.
func (h *Handler) reportsOutreach(c echo.Context) error {
	ctx := c.Request().Context()
	list := h.chosenList(c)
	plan, err := h.Support.PlanOutreach(ctx, list.Name)
	if err != nil {
		return err
	}
	if err := h.reportEvent(c, "report.view", "report=outreach list="+list.Name); err != nil {
		return err
	}
	m := views.OutreachModel{List: list, Email: plan.Email, SMS: plan.SMS, Letters: plan.Letters, NoAddress: plan.NoAddress,
		Customers: len(plan.Customers), More: !plan.Complete, SentToday: plan.SentToday,
		LettersHref: "/console/reports/outreach/letters.csv?" + url.Values{"list": {list.Name}}.Encode()}
	if plan.LastRun != nil {
		m.LastRunDay = day(plan.LastRun.At)
	}
	if n, ok := outreachNotices[c.QueryParam("notice")]; ok {
		m.Notice, m.NoticeError = n.key, n.error
	}
	return web.Render(c, http.StatusOK, views.ReportsOutreachPage(m))
}

// reportsOutreachSend queues the reminders once the staff member has
// ticked the confirmation under the dry run's counts.
func (h *Handler) reportsOutreachSend(c echo.Context) error {
	list, ok := h.listNamed(c.FormValue("list"))
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	// Reminders announce a coming phase; once it is in force they would
	// tell the customer something already past.
	if list.InForce {
		return c.Redirect(http.StatusSeeOther, outreachHref(list.Name, "in_force"))
	}
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(http.StatusSeeOther, outreachHref(list.Name, "confirm"))
	}
	_, err := h.Support.SendOutreach(c.Request().Context(), staff(c), c.RealIP(), list.Name, list.Phase)
	notice := "sent"
	switch {
	case errors.Is(err, support.ErrOutreachSent):
		notice = "already_sent"
	case errors.Is(err, support.ErrOutreachEmpty):
		notice = "empty"
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, outreachHref(list.Name, notice))
}

// reportsOutreachLetters exports the account numbers of the whole list's
// customers no reminder can reach, for letters; UTF-8 with a byte order
// mark and CRLF, like the other exports.
func (h *Handler) reportsOutreachLetters(c echo.Context) error {
	ctx := c.Request().Context()
	list := h.chosenList(c)
	if err := h.reportEvent(c, "report.export", "report=outreach_letters list="+list.Name); err != nil {
		return err
	}
	w, err := startExcelCSV(c, "letters-"+list.Name+"-"+day(h.DB.Now())+".csv")
	if err != nil {
		return err
	}
	w.Write([]string{web.Text(c, "ui.console.reports.lockouts.col.account")})
	var after int64
	for {
		found, next, err := h.Support.OutreachLetterCustomers(ctx, list.Name, after, lockoutExportChunk)
		if err != nil {
			return err // the header is sent: the error handler logs it
		}
		for _, lc := range found {
			w.Write(csvSafe(lc.AccountNumber))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		if next == 0 {
			return nil
		}
		after = next
	}
}
