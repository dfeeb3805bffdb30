package admin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/views"
	"mfadesk/web"
)

// The case page's live part: strength, the possession link's state, the
// identity checks and the actions with the case's requests. The page
// fetches it again by itself (views/static/case_live.js) while the staff
// member waits for the customer or a supervisor, through the case's /live
// route: the same policy and case scope as the page, a session that polls
// without counting as activity (web.Sessions.LoadQuiet), and no audit
// event per poll, since it shows no customer data the audited page view
// did not (contact data stays masked in the checks' details).

// caseLive answers the poll with the live part alone.
func (h *Handler) caseLive(c echo.Context) error {
	cu, err := h.DB.CustomerByID(c.Request().Context(), currentCase(c).CustomerID)
	if err != nil {
		return err
	}
	m := views.ConsoleCaseModel{Case: caseRow(currentCase(c))}
	if err := h.fillLive(c, &m, cu); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.CaseLive(m))
}

// fillLive sets the live part of the case model, and its state: a digest
// of what the part shows, which moves when any of it does.
func (h *Handler) fillLive(c echo.Context, m *views.ConsoleCaseModel, cu *data.Customer) error {
	ctx := c.Request().Context()
	k, st := currentCase(c), staff(c)
	var err error
	if m.Strength, err = h.Support.CaseStrength(ctx, k); err != nil {
		return err
	}
	checks, err := h.DB.CaseChecks(ctx, []int64{k.ID})
	if err != nil {
		return err
	}
	now := h.DB.Now()
	var state strings.Builder
	fmt.Fprintf(&state, "%s|%s|", m.Strength, k.Status)
	for _, v := range checks {
		m.Checks = append(m.Checks, checkRow(v))
		fmt.Fprintf(&state, "%d:%s;", v.ID, v.Status)
		if v.Status == data.VerificationPending && v.ExpiresAt.After(now) {
			m.LinkPending = m.LinkPending || v.Method == data.VerifyPossession
			m.CodePending = m.CodePending || v.Method == data.VerifySpoken
			m.PostalPending = m.PostalPending || v.Method == data.VerifyPostal
		}
	}
	m.LinkDenied = linkDenied(checks)
	if h.RBAC.Allow(st.Role, st.OrgID, "/console/cases/:id/contact", http.MethodGet) {
		m.ContactHref = caseHref(k.ID) + "/contact"
	}
	if m.Actions, err = h.actionsModel(c, k, cu, m.Strength == data.StrengthStrong); err != nil {
		return err
	}
	for _, r := range m.Actions.Requests {
		fmt.Fprintf(&state, "r%d:%s:%t;", r.ID, r.Status, r.CanIssuePass)
	}
	fmt.Fprintf(&state, "|%t|%t|%d", m.LinkPending, m.Actions.Ready, len(m.Actions.ContactPending))
	for _, p := range m.Actions.ContactPending {
		fmt.Fprintf(&state, ":%t", p.Confirmed)
	}
	sum := sha256.Sum256([]byte(state.String()))
	m.LiveState = hex.EncodeToString(sum[:8])
	return nil
}

// checkRow shows an identity check with who recorded it.
func checkRow(v data.CaseCheck) views.CheckRow {
	r := views.CheckRow{Method: v.Method, Strength: v.Strength, Status: v.Status, Detail: v.Detail,
		StaffLogin: v.StaffLogin, StaffName: v.StaffName, OrgName: v.OrgName, At: v.CreatedAt}
	if v.Status == data.VerificationPassed {
		r.ValidTill = v.ValidUntil
	}
	return r
}

// linkDenied reports whether the case's latest possession link was
// answered "no": someone may be posing as the customer.
func linkDenied(checks []data.CaseCheck) bool {
	for _, v := range checks { // newest first
		if v.Method == data.VerifyPossession {
			return v.Status == data.VerificationFailed && strings.HasSuffix(v.Detail, " answer=no")
		}
	}
	return false
}
