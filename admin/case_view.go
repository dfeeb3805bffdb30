package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// caseNotices are the fixed messages (keys) a redirect may ask the case
// page to show.
var caseNotices = map[string]struct{ kind, msg string }{
	"note":             {"info", "ui.console.case.notice.note"},
	"closed":           {"info", "ui.console.case.notice.closed"},
	"knowledge_passed": {"info", "ui.console.case.notice.knowledge_passed"},
	"knowledge_failed": {"error", "ui.console.case.notice.knowledge_failed"},
	"attempt_limit":    {"error", "ui.console.case.notice.attempt_limit"},
	"code_sent":        {"info", "ui.console.case.notice.code_sent"},
	"link_sent":        {"info", "ui.console.case.notice.link_sent"},
	"spoken_passed":    {"info", "ui.console.case.notice.spoken_passed"},
	"postal_sent":      {"info", "ui.console.case.notice.postal_sent"},
	"code_wait":        {"error", "ui.console.case.notice.code_wait"},
	"no_destination":   {"error", "ui.console.case.notice.no_destination"},
	"passed":           {"info", "ui.console.case.notice.passed"},
	"document_passed":  {"info", "ui.console.case.notice.document_passed"},
	"document_invalid": {"error", "ui.console.case.notice.document_invalid"},
	"not_in_person":    {"error", "ui.console.case.notice.not_in_person"},
	"wrong_code":       {"error", "ui.console.case.notice.wrong_code"},
	"malformed_code":   {"error", "ui.console.case.notice.malformed_code"},
	"too_many":         {"error", "ui.console.case.notice.too_many"},
	"expired":          {"error", "ui.console.case.notice.expired"},
	"no_code":          {"error", "ui.console.case.notice.no_code"},
	"locked":           {"error", "ui.console.case.notice.locked"},
	"case_closed":      {"error", "ui.console.case.notice.case_closed"},
	"note_invalid":     {"error", "ui.console.case.notice.note_invalid"},

	// Actions (case_actions.go).
	"reset_done":            {"info", "ui.console.case.notice.reset_done"},
	"reset_requested":       {"info", "ui.console.case.notice.reset_requested"},
	"password_requested":    {"info", "ui.console.case.notice.password_requested"},
	"contact_code_sent":     {"info", "ui.console.case.notice.contact_code_sent"},
	"contact_changed":       {"info", "ui.console.case.notice.contact_changed"},
	"contact_requested":     {"info", "ui.console.case.notice.contact_requested"},
	"unlocked":              {"info", "ui.console.case.notice.unlocked"},
	"not_locked":            {"error", "ui.console.case.notice.not_locked"},
	"needs_strong":          {"error", "ui.console.case.notice.needs_strong"},
	"own_account":           {"error", "ui.console.case.notice.own_account"},
	"bad_reset":             {"error", "ui.console.case.notice.bad_reset"},
	"bad_contact":           {"error", "ui.console.case.notice.bad_contact"},
	"send_limit":            {"error", "ui.console.case.notice.send_limit"},
	"no_pass":               {"error", "ui.console.case.notice.no_pass"},
	"contact_not_confirmed": {"error", "ui.console.case.notice.contact_not_confirmed"},
	"temp_pass_unusable":    {"error", "ui.console.case.notice.temp_pass_unusable"},
	"address_changed":       {"info", "ui.console.case.notice.address_changed"},
	"address_requested":     {"info", "ui.console.case.notice.address_requested"},
	"no_address":            {"error", "ui.console.case.notice.no_address"},
}

func (h *Handler) showCase(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := h.caseModel(c)
	if err != nil {
		return err
	}
	supportCase := currentCase(c)
	e := event(c, "customer.view", "success")
	e.CaseID, e.CustomerID = supportCase.ID, supportCase.CustomerID
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	if n, ok := caseNotices[c.QueryParam("notice")]; ok {
		if n.kind == "info" {
			m.Info = n.msg
		} else {
			m.Error = n.msg
		}
	}
	return web.Render(c, http.StatusOK, views.ConsoleCasePage(m))
}

// caseModel is everything the case page shows.
func (h *Handler) caseModel(c echo.Context) (views.ConsoleCaseModel, error) {
	ctx := c.Request().Context()
	supportCase, st := currentCase(c), staff(c)
	cu, err := h.DB.CustomerByID(ctx, supportCase.CustomerID)
	if err != nil {
		return views.ConsoleCaseModel{}, err
	}
	m := views.ConsoleCaseModel{Case: caseRow(supportCase), Customer: customerRow(cu.Match()), Open: supportCase.Status == support.CaseOpen,
		CanSendSMS: cu.PhoneVerified && cu.Phone != "", CanSendEmail: cu.HasValidEmail(),
		InPerson: support.MayVerify(st.Role, st.OrgKind, supportCase.Channel, data.VerifyDocument)}
	if m.Factors, err = h.factorRows(ctx, cu.ID); err != nil {
		return m, err
	}
	if m.Deliveries, err = h.deliveryRows(ctx, st, cu.ID); err != nil {
		return m, err
	}
	notes, err := h.DB.CaseNotes(ctx, supportCase.ID)
	if err != nil {
		return m, err
	}
	m.Notes = noteRows(notes)
	if err := h.fillLive(c, &m, cu); err != nil {
		return m, err
	}
	if m.Postal, err = h.postalModel(ctx, st, supportCase, m.Strength == data.StrengthStrong); err != nil {
		return m, err
	}
	if cu.MFALockedUntil.After(h.DB.Now()) {
		m.LockedUntil = cu.MFALockedUntil
	}
	for _, d := range support.DocumentTypes() {
		m.DocumentTypes = append(m.DocumentTypes, views.Option{Value: d, Label: views.DocumentKey(d)})
	}
	return m, nil
}

func noteRows(notes []data.CaseNote) []views.NoteRow {
	out := make([]views.NoteRow, 0, len(notes))
	for _, n := range notes {
		out = append(out, views.NoteRow{StaffLogin: n.StaffLogin, Body: n.Body, At: n.CreatedAt})
	}
	return out
}

// contact shows the customer's contact data unmasked; routes.go puts it
// behind requireStrong, and the policy keeps partners out.
func (h *Handler) contact(c echo.Context) error {
	ctx := c.Request().Context()
	supportCase := currentCase(c)
	cu, err := h.DB.CustomerByID(ctx, supportCase.CustomerID)
	if err != nil {
		return err
	}
	e := event(c, "customer.contact.view", "success")
	e.CaseID, e.CustomerID = supportCase.ID, cu.ID
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ConsoleContactPage(views.ConsoleContactModel{CaseHref: caseHref(supportCase.ID),
		Email: cu.Email, EmailStatus: cu.EmailStatus, Phone: contact.Domestic(cu.Phone), PhoneVerified: cu.PhoneVerified}))
}

func (h *Handler) addNote(c echo.Context) error {
	supportCase := currentCase(c)
	body := c.FormValue("body")
	// A closed case answers case_closed whatever the note says.
	if supportCase.Status == support.CaseOpen && !web.CheckText(body, true, 2000).Empty() {
		return redirectNotice(c, caseHref(supportCase.ID), "note_invalid")
	}
	err := h.Support.AddCaseNote(c.Request().Context(), h.caseActor(c), body)
	if errors.Is(err, support.ErrCaseClosed) {
		return redirectNotice(c, caseHref(supportCase.ID), "case_closed")
	}
	if err != nil {
		return err
	}
	return redirectNotice(c, caseHref(supportCase.ID), "note")
}

func (h *Handler) closeCase(c echo.Context) error {
	supportCase := currentCase(c)
	err := h.Support.CloseCase(c.Request().Context(), h.caseActor(c))
	if errors.Is(err, support.ErrCaseClosed) {
		return redirectNotice(c, caseHref(supportCase.ID), "case_closed")
	}
	if err != nil {
		return err
	}
	return redirectNotice(c, caseHref(supportCase.ID), "closed")
}
