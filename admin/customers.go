package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

const searchLimit = 50

func (h *Handler) search(c echo.Context) error {
	q := c.QueryParam("q")
	m := views.ConsoleSearchModel{Query: q, Channels: channelOptions(staff(c))}
	if q == "" {
		return web.Render(c, http.StatusOK, views.ConsoleSearchPage(m))
	}
	if msg := web.CheckText(q, true, 100); !msg.Empty() {
		m.Query, m.Error = "", msg
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleSearchPage(m))
	}
	key := data.SearchKey(q)
	if utf8.RuneCountInString(key) < data.MinSearchKey {
		m.Error = views.Message{Key: "ui.console.search.too_short"}
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleSearchPage(m))
	}
	ctx := c.Request().Context()
	found, err := h.DB.SearchCustomers(ctx, key, searchLimit)
	if err != nil {
		return err
	}
	e := event(c, "customer.search", "success")
	e.Detail = fmt.Sprintf("query=%s results=%d", maskQuery(q), len(found))
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	m.Searched = true
	for _, cu := range found {
		m.Results = append(m.Results, customerRow(cu))
	}
	return web.Render(c, http.StatusOK, views.ConsoleSearchPage(m))
}

// customerRow shows a customer with contact data masked: what every role
// sees without a strong verification. A contact left empty shows as none.
func customerRow(cu data.CustomerMatch) views.CustomerRow {
	return views.CustomerRow{ID: cu.ID, AccountNumber: cu.AccountNumber, Name: cu.NameKanji, Kana: cu.NameKana,
		Email: contact.MaskEmail(cu.Email), Phone: contact.MaskPhone(cu.Phone)}
}

// maskQuery keeps contact data out of the audit trail: an email or phone
// number searched for is masked like anywhere else; control characters
// are escaped.
func maskQuery(q string) string {
	switch key := data.SearchKey(q); {
	case strings.Contains(q, "@"):
		return contact.MaskEmail(q)
	case len(key) >= 10 && strings.Trim(key, "0123456789") == "":
		return contact.MaskPhone(key)
	}
	s := strconv.QuoteToGraphic(q)
	return s[1 : len(s)-1]
}

// channelOptions are the channels the staff member's organisation opens
// cases on; with only one the form shows no choice.
func channelOptions(st *data.Staff) []views.Option {
	var out []views.Option
	for _, ch := range support.CaseChannelsFor(st.Role, st.OrgKind) {
		out = append(out, views.Option{Value: ch, Label: views.ChannelKey(ch)})
	}
	return out
}

func (h *Handler) openCase(c echo.Context) error {
	id, ok := parseID(c.FormValue("customer_id"))
	reason := strings.TrimSpace(c.FormValue("reason"))
	if !ok || !web.CheckText(reason, true, 200).Empty() {
		return errBadCaseForm
	}
	cu, err := h.DB.CustomerByID(c.Request().Context(), id)
	if errors.Is(err, data.ErrNotFound) {
		return errBadCaseForm
	}
	if err != nil {
		return err
	}
	return h.startCase(c, cu, reason)
}

var errBadCaseForm = &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.console.error.bad_case_title",
	Message: "ui.console.error.bad_case"}

var errChannelNotAllowed = &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.console.error.bad_case_title",
	Message: "ui.console.error.channel_not_allowed"}

var errOwnAccountCase = &web.UserError{Status: http.StatusForbidden, Title: "ui.console.error.own_account_title",
	Message: "ui.console.case.notice.own_account"}

// startCase opens a case with its audit event in one transaction. Staff
// never open a case on their own account. The channel follows the staff
// member's organisation: a form asking for another (no form offers one)
// is refused and audited.
func (h *Handler) startCase(c echo.Context, cu *data.Customer, reason string) error {
	id, err := h.Support.OpenCase(c.Request().Context(), staff(c), c.RealIP(), cu.ID, c.FormValue("channel"), reason)
	switch {
	case errors.Is(err, support.ErrOwnAccount):
		return errOwnAccountCase
	case errors.Is(err, support.ErrChannelNotAllowed):
		return errChannelNotAllowed
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, caseHref(id))
}

func (h *Handler) partnerFindForm(c echo.Context) error {
	return web.Render(c, http.StatusOK, views.ConsolePartnerFindPage(views.ConsolePartnerFindModel{}))
}

// partnerFind is the partners' only lookup: an exact account number and
// birth date, as read off the documents in front of them.
func (h *Handler) partnerFind(c echo.Context) error {
	m, cu, err := h.partnerLookup(c)
	if err != nil || cu == nil {
		return err
	}
	m.Found = &views.CustomerRow{ID: cu.ID, AccountNumber: cu.AccountNumber, Name: cu.NameKanji}
	return web.Render(c, http.StatusOK, views.ConsolePartnerFindPage(m))
}

func (h *Handler) partnerOpenCase(c echo.Context) error {
	_, cu, err := h.partnerLookup(c)
	if err != nil || cu == nil {
		return err
	}
	if !web.CheckText(strings.TrimSpace(c.FormValue("reason")), true, 200).Empty() {
		return errBadCaseForm
	}
	return h.startCase(c, cu, strings.TrimSpace(c.FormValue("reason")))
}

// partnerLookup finds the customer of the form's account number and birth
// date (support audits the attempt and keeps the attempt limits). When there
// is none, or the limit refused the lookup, it has already answered the
// request, and returns a nil customer.
func (h *Handler) partnerLookup(c echo.Context) (views.ConsolePartnerFindModel, *data.Customer, error) {
	m := views.ConsolePartnerFindModel{AccountNumber: strings.TrimSpace(c.FormValue("account_number")),
		BirthDate: strings.TrimSpace(c.FormValue("birth_date")), FieldErrors: web.FieldErrors{}}
	if msg := web.CheckText(m.AccountNumber, true, 16); !msg.Empty() {
		m.FieldErrors["account_number"] = msg
	}
	if msg := web.CheckText(m.BirthDate, true, 10); !msg.Empty() {
		m.FieldErrors["birth_date"] = msg
	}
	if len(m.FieldErrors) > 0 {
		return m, nil, web.Render(c, http.StatusUnprocessableEntity, views.ConsolePartnerFindPage(m))
	}
	cu, err := h.Support.LookupCustomer(c.Request().Context(), staff(c), c.RealIP(), m.AccountNumber, m.BirthDate)
	if errors.Is(err, support.ErrAttemptLimit) {
		m.Limited = true
		return m, nil, web.Render(c, http.StatusTooManyRequests, views.ConsolePartnerFindPage(m))
	}
	if err != nil {
		return m, nil, err
	}
	if cu == nil {
		m.NotFound = true
		return m, nil, web.Render(c, http.StatusNotFound, views.ConsolePartnerFindPage(m))
	}
	return m, cu, nil
}
