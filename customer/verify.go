package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// methodLabels are the message keys of the buttons that switch method.
var methodLabels = map[mfa.Method]string{
	mfa.MethodTOTP:     "ui.verify.method.totp",
	mfa.MethodSMS:      "ui.verify.method.sms",
	mfa.MethodEmail:    "ui.verify.method.email",
	mfa.MethodRecovery: "ui.verify.method.recovery",
	mfa.MethodPasskey:  "ui.verify.method.passkey",
}

// notices are the fixed messages (keys) a redirect may ask the verify
// page to show; the query names one, it never carries text.
var notices = map[string]string{
	"sent":  "ui.verify.notice.sent",
	"wait":  "ui.verify.notice.wait",
	"limit": "ui.verify.notice.limit",
}

func (h *Handler) verifyForm(c echo.Context) error {
	m, err := h.verifyModel(c)
	if err != nil {
		return err
	}
	m.Info = notices[c.QueryParam("notice")]
	return web.Render(c, http.StatusOK, views.VerifyPage(m))
}

// verifyModel describes the second-factor page for the pending session.
func (h *Handler) verifyModel(c echo.Context) (views.VerifyModel, error) {
	ctx := c.Request().Context()
	s := web.Current(c)
	customer, err := h.customer(c)
	if err != nil {
		return views.VerifyModel{}, err
	}
	plan, err := h.MFA.PlanLogin(ctx, customer)
	if err != nil {
		return views.VerifyModel{}, err
	}
	method := mfa.Method(s.Method)
	m := views.VerifyModel{Title: "ui.verify.title", Back: "/login/verify", Action: "/login/verify", ResendAction: "/login/resend",
		MethodAction: "/login/method", Method: s.Method, MethodLabel: methodLabels[method], EmailFallback: plan.EmailFallback,
		PasskeyOptions: "/login/verify/passkey/options", PasskeyFinish: "/login/verify/passkey"}
	for _, alt := range plan.Methods {
		if alt != method {
			m.Alternatives = append(m.Alternatives, views.MethodOption{Method: string(alt), Label: methodLabels[alt]})
		}
	}
	if method != mfa.MethodSMS && method != mfa.MethodEmail {
		return m, nil
	}
	to, err := h.MFA.Destination(ctx, customer, method, mfa.UseLogin)
	if err != nil {
		return views.VerifyModel{}, err
	}
	m.Destination = contact.Mask(string(method), to)
	ch, err := h.DB.LatestChallenge(ctx, s.IDHash, mfa.PurposeLogin)
	switch {
	case errors.Is(err, data.ErrNotFound):
	case err != nil:
		return views.VerifyModel{}, err
	default:
		m.CodeSent = ch.Channel == s.Method
	}
	return m, nil
}

// codeMessages are what the customer reads for each refusal (keys).
var codeMessages = []struct {
	err    error
	status int
	msg    string
}{
	{mfa.ErrMalformedCode, http.StatusUnprocessableEntity, "ui.verify.error.malformed"},
	{mfa.ErrWrongCode, http.StatusUnauthorized, "ui.verify.error.wrong_code"},
	{mfa.ErrCodeReused, http.StatusUnauthorized, "ui.verify.error.reused"},
	{mfa.ErrTooManyTries, http.StatusUnauthorized, "ui.verify.error.too_many"},
	{mfa.ErrCodeExpired, http.StatusUnauthorized, "ui.verify.error.expired"},
	{mfa.ErrNoCode, http.StatusUnauthorized, "ui.verify.error.no_code"},
	{mfa.ErrMethodNotAllowed, http.StatusUnprocessableEntity, "ui.verify.error.method_not_allowed"},
	{mfa.ErrBadTradingPassword, http.StatusUnauthorized, "ui.verify.error.trading_password"},
	{mfa.ErrPasskeyRequired, http.StatusForbidden, "ui.verify.error.passkey_required"},
	{mfa.ErrPasskeyInvalid, http.StatusUnauthorized, "ui.verify.error.passkey_invalid"},
	{mfa.ErrPasskeyCloned, http.StatusUnauthorized, "ui.verify.error.passkey_cloned"},
	{mfa.ErrNoCeremony, http.StatusUnauthorized, "ui.verify.error.no_ceremony"},
}

// codeMessage finds what to tell the customer about a refused code: a
// message key.
func codeMessage(err error) (string, int, bool) {
	for _, cm := range codeMessages {
		if errors.Is(err, cm.err) {
			return cm.msg, cm.status, true
		}
	}
	return "", 0, false
}

// lockedOut ends the session of a customer whose second factor just got
// locked and says until when.
func (h *Handler) lockedOut(c echo.Context, customer *data.Customer) error {
	fresh, err := h.DB.CustomerByID(c.Request().Context(), customer.ID)
	if err != nil {
		return err
	}
	if err := h.Sessions.End(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusForbidden, views.LockedPage(views.LockedModel{Until: fresh.MFALockedUntil}))
}

func (h *Handler) verifySubmit(c echo.Context) error {
	ctx := c.Request().Context()
	s := web.Current(c)
	code := c.FormValue("code")
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.Verify(ctx, mfa.VerifyInput{Customer: customer, SessionHash: s.IDHash, Purpose: mfa.PurposeLogin,
		Use: mfa.UseLogin, Method: mfa.Method(s.Method), Code: code, ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrLocked) {
		return h.lockedOut(c, customer)
	}
	if msg, status, ok := codeMessage(err); ok {
		m, merr := h.verifyModel(c)
		if merr != nil {
			return merr
		}
		m.Error = msg
		return web.Render(c, status, views.VerifyPage(m))
	}
	if err != nil {
		return err
	}
	next, err := h.completeLogin(c, customer, mfa.Method(s.Method))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (h *Handler) methodSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	s := web.Current(c)
	method := mfa.Method(c.FormValue("method"))
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(ctx, customer)
	if err != nil {
		return err
	}
	if !plan.Allows(method) {
		return &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.verify.method_bad.title",
			Message: "ui.verify.method_bad.message"}
	}
	if err := h.DB.SetSessionMethod(ctx, s.IDHash, string(method)); err != nil {
		return err
	}
	if method != mfa.MethodSMS && method != mfa.MethodEmail {
		return c.Redirect(http.StatusSeeOther, "/login/verify")
	}
	return h.sendAndRedirect(c, customer, method)
}

func (h *Handler) resendSubmit(c echo.Context) error {
	s := web.Current(c)
	method := mfa.Method(s.Method)
	if method != mfa.MethodSMS && method != mfa.MethodEmail {
		return c.Redirect(http.StatusSeeOther, "/login/verify")
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	return h.sendAndRedirect(c, customer, method)
}

func (h *Handler) sendAndRedirect(c echo.Context, customer *data.Customer, method mfa.Method) error {
	err := h.MFA.SendLoginCode(c.Request().Context(), customer, web.Current(c).IDHash, method)
	switch {
	case errors.Is(err, mfa.ErrResendTooSoon):
		return c.Redirect(http.StatusSeeOther, "/login/verify?notice=wait")
	case errors.Is(err, mfa.ErrSendLimit):
		return c.Redirect(http.StatusSeeOther, "/login/verify?notice=limit")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login/verify?notice=sent")
}
