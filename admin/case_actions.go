package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The actions on a case (docs/design.md §3). routes.go puts them behind
// requireStrong and the policy decides the roles; mfa checks both again
// and runs each action in one transaction with its audit event and
// outbox messages. Each handler sends the browser back to the case with a
// notice, except when a temporary pass was issued: that page is the one
// place the pass is ever shown.

// actionNotices name the case page's notice for each refusal of an action.
var actionNotices = []errNotice{
	{support.ErrStrongVerificationRequired, "needs_strong"},
	{support.ErrOwnAccount, "own_account"},
	{support.ErrBadResetChoice, "bad_reset"},
	{support.ErrBadContact, "bad_contact"},
	{support.ErrContactNotConfirmed, "contact_not_confirmed"},
	{mfa.ErrSendLimit, "send_limit"},
	{support.ErrNotLocked, "not_locked"},
	{support.ErrNoPassToIssue, "no_pass"},
	{support.ErrTempPassUnusable, "temp_pass_unusable"},
}

func (h *Handler) afterAction(c echo.Context, err error, success string) error {
	return backToCase(c, err, success, actionNotices, codeNotices)
}

// resetFactors removes the customer's chosen factors, or asks for approval.
func (h *Handler) resetFactors(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	res, err := h.Support.ResetFactors(c.Request().Context(), support.ResetInput{Actor: h.caseActor(c),
		Remove: form["remove"], TempPass: c.FormValue("temp_pass") == "on"})
	switch {
	case err != nil:
		return h.afterAction(c, err, "")
	case res.Pending():
		return h.afterAction(c, nil, "reset_requested")
	case res.TempPass != "":
		return h.showTempPass(c, res.TempPass)
	}
	return h.afterAction(c, nil, "reset_done")
}

// issueApprovedPass shows the requester, once, the temporary pass of
// their approved reset.
func (h *Handler) issueApprovedPass(c echo.Context) error {
	id, ok := parseID(c.FormValue("request_id"))
	if !ok {
		return h.afterAction(c, support.ErrNoPassToIssue, "")
	}
	res, err := h.Support.IssueApprovedPass(c.Request().Context(), h.caseActor(c), id)
	if err != nil {
		return h.afterAction(c, err, "")
	}
	if res.PasswordCode != "" {
		return h.showPasswordCode(c, res.PasswordCode)
	}
	return h.showTempPass(c, res.TempPass)
}

// passwordCode gives the customer a password-setting code, shown once, or
// asks for approval.
func (h *Handler) passwordCode(c echo.Context) error {
	res, err := h.Support.RequestPasswordCode(c.Request().Context(), h.caseActor(c))
	switch {
	case err != nil:
		return h.afterAction(c, err, "")
	case res.Pending():
		return h.afterAction(c, nil, "password_requested")
	}
	return h.showPasswordCode(c, res.PasswordCode)
}

// showPasswordCode renders the only page that shows a password-setting
// code, kept out of every cache like the temporary pass.
func (h *Handler) showPasswordCode(c echo.Context, code string) error {
	k := currentCase(c)
	return web.Render(c, http.StatusOK, views.ConsoleTempPassPage(views.ConsoleTempPassModel{
		CaseHref: caseHref(k.ID), Pass: code, ValidMinutes: int(h.Support.Config.PasswordSetTTL.Minutes()),
		PasswordCode: true}))
}

// showTempPass renders the only page that shows a temporary pass; the
// security headers keep it out of every cache (no-store).
func (h *Handler) showTempPass(c echo.Context, pass string) error {
	k := currentCase(c)
	return web.Render(c, http.StatusOK, views.ConsoleTempPassPage(views.ConsoleTempPassModel{
		CaseHref: caseHref(k.ID), Pass: pass, ValidMinutes: int(h.Support.Config.TempPassTTL.Minutes())}))
}

// sendContactCode sends a confirmation link to the new contact the staff
// member entered.
func (h *Handler) sendContactCode(c echo.Context) error {
	kind := c.FormValue("kind")
	err := h.Support.SendSupportContactLink(c.Request().Context(), h.caseActor(c), kind, c.FormValue("value"))
	return h.afterAction(c, err, "contact_code_sent")
}

// confirmContact makes the change once the customer confirmed the link
// at the new contact.
func (h *Handler) confirmContact(c echo.Context) error {
	res, err := h.Support.ConfirmSupportContact(c.Request().Context(), h.caseActor(c), c.FormValue("kind"))
	if err == nil && res.Pending() {
		return h.afterAction(c, nil, "contact_requested")
	}
	return h.afterAction(c, err, "contact_changed")
}

func (h *Handler) unlock(c echo.Context) error {
	return h.afterAction(c, h.Support.UnlockCustomer(c.Request().Context(), h.caseActor(c)), "unlocked")
}

// actionsModel is what the case page offers the staff member beyond
// identity verification: only the actions their role may use, and only
// after a strong verification on an open case.
func (h *Handler) actionsModel(c echo.Context, k *data.Case, cu *data.Customer, strong bool) (views.CaseActionsModel, error) {
	ctx := c.Request().Context()
	st := staff(c)
	href := caseHref(k.ID)
	allow := func(path string) bool { return h.RBAC.Allow(st.Role, st.OrgID, path, http.MethodPost) }
	// Nobody acts on their own account (loadCase refuses it): no form.
	workable := k.Status == support.CaseOpen && !support.IsOwnAccount(st, k.CustomerID)
	m := views.CaseActionsModel{Href: href, Open: workable, Ready: strong && workable,
		CanReset: allow("/console/cases/:id/reset"), CanContact: allow("/console/cases/:id/contact/send"),
		CanUnlock:             allow("/console/cases/:id/unlock") && cu.MFALockedUntil.After(h.DB.Now()),
		CanPassword:           allow("/console/cases/:id/password"),
		CanPasskeyLink:        allow("/console/cases/:id/passkey-link"),
		PasskeyLinkMinutes:    int(support.PasskeyLinkTTL.Minutes()),
		PasswordNeedsApproval: h.Support.NeedsApproval(support.ActionPassword, st.Role),
		PasswordCodeMinutes:   int(h.Support.Config.PasswordSetTTL.Minutes()),
		ResetNeedsApproval:    h.Support.NeedsApproval(support.ActionReset, st.Role),
		ContactNeedsApproval:  h.Support.NeedsApproval(support.ActionContact, st.Role),
		TempPassMinutes:       int(h.Support.Config.TempPassTTL.Minutes()),
		TempPassUnusable:      !h.Support.TempPassUsable()}
	if h.RBAC.Allow(st.Role, st.OrgID, "/console/cases/:id/assist", http.MethodGet) {
		m.AssistHref = href + "/assist"
	}
	for _, kind := range support.ResetKinds() {
		m.ResetKinds = append(m.ResetKinds, views.Option{Value: kind, Label: views.FactorKindKey(kind)})
	}
	for _, kind := range []string{mfa.ContactEmail, mfa.ContactPhone} {
		ch, err := h.DB.LatestChallenge(ctx, support.SupportContactKey(k.ID), support.SupportContactPurpose(kind))
		if errors.Is(err, data.ErrNotFound) {
			continue
		}
		if err != nil {
			return m, err
		}
		if ch.ExpiresAt.After(h.DB.Now()) {
			confirmed, err := h.DB.ContactLinkConfirmed(ctx, ch.ID)
			if err != nil {
				return m, err
			}
			m.ContactPending = append(m.ContactPending, views.ContactPendingRow{Kind: kind,
				To: contact.Mask(ch.Channel, ch.Destination), Confirmed: confirmed})
		}
	}
	reqs, err := h.DB.CaseRequests(ctx, k.ID)
	if err != nil {
		return m, err
	}
	for _, r := range reqs {
		row := requestRow(&r, h.DB.Now())
		row.CanIssuePass = r.Status == data.RequestApproved && r.TempPass && r.PassIssuedAt.Unix() == 0 &&
			r.RequestedBy == st.ID && m.Ready && !m.TempPassUnusable
		m.Requests = append(m.Requests, row)
	}
	return m, nil
}
