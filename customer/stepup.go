package customer

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// stepUpOp is an operation that can ask for a fresh second factor.
// "withdrawal:<id>" binds the factor to one withdrawal's amount and
// destination (docs/security.md S26).
type stepUpOp struct {
	name  string // account, mfa, withdrawal:<id>
	title string // message key of the page's lead
	next  string
}

func parseStepUpOp(s string) (stepUpOp, bool) {
	switch {
	case s == "account":
		return stepUpOp{s, "ui.stepup.lead.account", "/account"}, true
	case s == "mfa":
		return stepUpOp{s, "ui.stepup.lead.mfa", "/settings/mfa"}, true
	case s == "bank":
		return stepUpOp{s, "ui.stepup.lead.bank", "/account/bank"}, true
	case strings.HasPrefix(s, oidcStepUp) || strings.HasPrefix(s, oidcPasskeyStepUp):
		id := s[strings.Index(s, ":")+1:]
		if !oidcRequestID(id) {
			return stepUpOp{}, false
		}
		return stepUpOp{s, "ui.stepup.lead.oidc", "/oidc/login?id=" + id}, true
	case strings.HasPrefix(s, "withdrawal:"):
		id, err := strconv.ParseInt(strings.TrimPrefix(s, "withdrawal:"), 10, 64)
		if err != nil || id <= 0 {
			return stepUpOp{}, false
		}
		return stepUpOp{s, "ui.stepup.lead.withdrawal", "/withdrawal/" + strconv.FormatInt(id, 10) + "/confirm"}, true
	}
	return stepUpOp{}, false
}

// stepUpUse says which factors may pass op for this customer. Account
// changes fall back to any factor when none is ticked for the service,
// because changing a contact always needs a fresh second factor.
func (h *Handler) stepUpUse(ctx context.Context, c *data.Customer, op stepUpOp) (mfa.Use, error) {
	switch {
	case op.name == "mfa":
		return mfa.UseAny, nil
	case strings.HasPrefix(op.name, "withdrawal:"):
		return mfa.UseWithdrawal, nil
	case op.name == "bank":
		return mfa.UseBank, nil
	case strings.HasPrefix(op.name, oidcStepUp) || strings.HasPrefix(op.name, oidcPasskeyStepUp):
		return mfa.UseAny, nil
	}
	plan, err := h.MFA.PlanStepUp(ctx, c, mfa.UseAccount)
	if err != nil || plan.Required {
		return mfa.UseAccount, err
	}
	return mfa.UseAny, nil
}

// requireStepUp lets a request through only with a second factor passed
// for op within the configured window; otherwise it sends the customer
// to pass one, after which they come back.
func (h *Handler) requireStepUp(op string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if h.Sessions.FreshStepUp(c, op, h.MFA.Config.StepUpWindow) {
				return next(c)
			}
			return c.Redirect(http.StatusSeeOther, stepUpURL(op, "", "expired"))
		}
	}
}

func stepUpURL(op, method, notice string) string {
	q := url.Values{"op": {op}}
	if method != "" {
		q.Set("method", method)
	}
	if notice != "" {
		q.Set("notice", notice)
	}
	return "/stepup?" + q.Encode()
}

// stepUpState is what a step-up request is about.
type stepUpState struct {
	customer *data.Customer
	op       stepUpOp
	use      mfa.Use
	plan     mfa.StepUpPlan
	method   mfa.Method
}

func (h *Handler) loadStepUp(c echo.Context, opName, method string) (*stepUpState, error) {
	op, ok := parseStepUpOp(opName)
	if !ok {
		return nil, &web.UserError{Status: http.StatusBadRequest, Title: "ui.stepup.bad_op.title",
			Message: "ui.stepup.bad_op.message"}
	}
	customer, err := h.customer(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	st := &stepUpState{customer: customer, op: op}
	if st.use, err = h.stepUpUse(ctx, customer, op); err != nil {
		return nil, err
	}
	if st.plan, err = h.MFA.PlanStepUp(ctx, customer, st.use); err != nil {
		return nil, err
	}
	if strings.HasPrefix(op.name, oidcPasskeyStepUp) {
		st.plan.Methods = slices.DeleteFunc(st.plan.Methods, func(m mfa.Method) bool { return m != mfa.MethodPasskey })
	}
	st.method = mfa.Method(method)
	if !st.plan.Allows(st.method) && len(st.plan.Methods) > 0 {
		st.method = st.plan.Methods[0]
	}
	return st, nil
}

var stepUpNotices = map[string]string{
	"expired": "ui.stepup.notice.expired",
}

func (h *Handler) stepUpForm(c echo.Context) error {
	st, err := h.loadStepUp(c, c.QueryParam("op"), c.QueryParam("method"))
	if err != nil {
		return err
	}
	if len(st.plan.Methods) == 0 {
		return &web.UserError{Status: http.StatusForbidden, Title: "ui.stepup.no_method.title",
			Message: "ui.stepup.no_method.message"}
	}
	m, err := h.stepUpModel(c, st)
	if err != nil {
		return err
	}
	m.Info = notices[c.QueryParam("notice")]
	if n := stepUpNotices[c.QueryParam("notice")]; n != "" {
		m.Info = n
	}
	return web.Render(c, http.StatusOK, views.VerifyPage(m))
}

func (h *Handler) stepUpModel(c echo.Context, st *stepUpState) (views.VerifyModel, error) {
	m := views.VerifyModel{Title: "ui.stepup.title", Lead: st.op.title, Back: stepUpURL(st.op.name, string(st.method), ""),
		Action: "/stepup", ResendAction: "/stepup/send",
		MethodAction: "/stepup/method", Method: string(st.method), MethodLabel: methodLabels[st.method],
		Hidden: []views.Hidden{{Name: "op", Value: st.op.name}}, CarryMethod: true,
		PasskeyOptions: "/stepup/passkey/options", PasskeyFinish: "/stepup/passkey"}
	for _, alt := range st.plan.Methods {
		if alt != st.method {
			m.Alternatives = append(m.Alternatives, views.MethodOption{Method: string(alt), Label: methodLabels[alt]})
		}
	}
	if st.method != mfa.MethodSMS && st.method != mfa.MethodEmail {
		return m, nil
	}
	ctx := c.Request().Context()
	to, err := h.MFA.Destination(ctx, st.customer, st.method, st.use)
	if err != nil {
		return views.VerifyModel{}, err
	}
	m.Destination = contact.Mask(string(st.method), to)
	ch, err := h.DB.LatestChallenge(ctx, web.Current(c).IDHash, mfa.StepUpPurpose(st.op.name))
	switch {
	case errors.Is(err, data.ErrNotFound):
	case err != nil:
		return views.VerifyModel{}, err
	default:
		m.CodeSent = ch.Channel == string(st.method)
	}
	return m, nil
}

// stepUpMethod switches method (the hidden method field of the button)
// and sends a code right away for SMS or email.
func (h *Handler) stepUpMethod(c echo.Context) error {
	st, err := h.loadStepUp(c, c.FormValue("op"), c.FormValue("method"))
	if err != nil {
		return err
	}
	if st.method != mfa.MethodSMS && st.method != mfa.MethodEmail {
		return c.Redirect(http.StatusSeeOther, stepUpURL(st.op.name, string(st.method), ""))
	}
	return h.stepUpSend(c)
}

func (h *Handler) stepUpSend(c echo.Context) error {
	st, err := h.loadStepUp(c, c.FormValue("op"), c.FormValue("method"))
	if err != nil {
		return err
	}
	err = h.MFA.SendStepUpCode(c.Request().Context(), st.customer, web.Current(c).IDHash, st.op.name, st.method, st.use)
	notice := "sent"
	switch {
	case errors.Is(err, mfa.ErrResendTooSoon):
		notice = "wait"
	case errors.Is(err, mfa.ErrSendLimit):
		notice = "limit"
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, stepUpURL(st.op.name, string(st.method), notice))
}

func (h *Handler) stepUpSubmit(c echo.Context) error {
	st, err := h.loadStepUp(c, c.FormValue("op"), c.FormValue("method"))
	if err != nil {
		return err
	}
	s := web.Current(c)
	err = h.MFA.Verify(c.Request().Context(), mfa.VerifyInput{Customer: st.customer, SessionHash: s.IDHash,
		Purpose: mfa.StepUpPurpose(st.op.name), Use: st.use, Method: st.method, Code: c.FormValue("code"), ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrLocked) {
		return h.lockedOut(c, st.customer)
	}
	if msg, status, ok := codeMessage(err); ok {
		m, merr := h.stepUpModel(c, st)
		if merr != nil {
			return merr
		}
		m.Error = msg
		return web.Render(c, status, views.VerifyPage(m))
	}
	if err != nil {
		return err
	}
	if err := h.recordStepUp(c, st, st.method); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, st.op.next)
}

// recordStepUp marks the session's step-up for st.op passed with method.
// A step-up for the account page whose method the bank-account change
// allows too counts for that change as well, so a customer who opens
// their account and goes on to change the bank account is not asked for
// a second factor twice in a row (docs/operations.md). The change still
// uses the step-up up.
func (h *Handler) recordStepUp(c echo.Context, st *stepUpState, method mfa.Method) error {
	var also []string
	if st.op.name == "account" {
		bank, err := h.MFA.PlanStepUp(c.Request().Context(), st.customer, mfa.UseBank)
		if err != nil {
			return err
		}
		if bank.Allows(method) {
			also = append(also, "bank")
		}
	}
	if _, err := h.Sessions.StepUp(c, st.op.name, also...); err != nil {
		return err
	}
	if id, ok := strings.CutPrefix(st.op.name, oidcStepUp); ok {
		return h.DB.OIDCAuthRequestSteppedUp(c.Request().Context(), id, string(method))
	}
	if id, ok := strings.CutPrefix(st.op.name, oidcPasskeyStepUp); ok {
		return h.DB.OIDCAuthRequestSteppedUp(c.Request().Context(), id, string(method))
	}
	return nil
}

// A relying party's request (idp/) may ask for a fresh second factor
// ("oidc:<request id>"), or a fresh passkey ("oidc-phr:<request id>");
// the factor is recorded on the request, which the provider then
// completes.
const (
	oidcStepUp        = "oidc:"
	oidcPasskeyStepUp = "oidc-phr:"
)

// oidcRequestID reports whether id has the shape of a request id
// (base64url), so it can go into the way back unescaped.
func oidcRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
