package customer

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

func passkeyFailure(c echo.Context, err error) error {
	if key, status, ok := codeMessage(err); ok {
		return web.PasskeyError(c, status, key)
	}
	return err
}

// passkeyOptions answers the options JSON of a ceremony.
func passkeyOptions(c echo.Context, opts []byte, err error) error {
	if errors.Is(err, mfa.ErrMethodNotAllowed) {
		return web.PasskeyError(c, http.StatusUnprocessableEntity, "ui.passkey.error.none")
	}
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, opts)
}

// passkeyLoginOptions starts a login with a passkey alone: the visitor's
// anonymous session holds the challenge.
func (h *Handler) passkeyLoginOptions(c echo.Context) error {
	return h.anonymousOptions(c, func(sessionHash string) ([]byte, error) {
		return h.MFA.BeginPasskeyLogin(c.Request().Context(), sessionHash)
	})
}

// anonymousOptions begins a ceremony of a visitor not logged in: their
// anonymous session (capped, web/anonymous.go) holds the challenge.
func (h *Handler) anonymousOptions(c echo.Context, begin func(sessionHash string) ([]byte, error)) error {
	s, err := h.Sessions.Ensure(c)
	if errors.Is(err, web.ErrAnonymousLimit) {
		return web.PasskeyError(c, http.StatusTooManyRequests, web.ErrAnonymousLimit.Message)
	}
	if err != nil {
		return err
	}
	opts, err := begin(s.IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) passkeyLogin(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	s := web.Current(c)
	if s == nil {
		// A pre-session only: no ceremony was begun in this browser.
		return passkeyFailure(c, mfa.ErrNoCeremony)
	}
	customer, err := h.MFA.FinishPasskeyLogin(c.Request().Context(), s.IDHash, body, c.RealIP())
	if errors.Is(err, mfa.ErrLocked) {
		return web.PasskeyError(c, http.StatusForbidden, "ui.passkey.error.locked_login")
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	next, err := h.completeLogin(c, customer, mfa.MethodPasskey)
	if err != nil {
		return err
	}
	return web.PasskeyDone(c, next)
}

// verifyPasskeyOptions starts a passkey check as the second factor after
// the password.
func (h *Handler) verifyPasskeyOptions(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyCheck(c.Request().Context(), customer, web.Current(c).IDHash, mfa.PurposeLogin, mfa.UseLogin)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) verifyPasskey(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.Verify(c.Request().Context(), mfa.VerifyInput{Customer: customer, SessionHash: web.Current(c).IDHash,
		Purpose: mfa.PurposeLogin, Use: mfa.UseLogin, Method: mfa.MethodPasskey, Code: string(body), ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrLocked) {
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return web.PasskeyError(c, http.StatusForbidden, "ui.passkey.error.locked")
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	next, err := h.completeLogin(c, customer, mfa.MethodPasskey)
	if err != nil {
		return err
	}
	return web.PasskeyDone(c, next)
}

func (h *Handler) stepUpPasskeyOptions(c echo.Context) error {
	st, err := h.loadStepUp(c, c.FormValue("op"), string(mfa.MethodPasskey))
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyCheck(c.Request().Context(), st.customer, web.Current(c).IDHash, mfa.StepUpPurpose(st.op.name), st.use)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) stepUpPasskey(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	st, err := h.loadStepUp(c, c.FormValue("op"), string(mfa.MethodPasskey))
	if err != nil {
		return err
	}
	err = h.MFA.Verify(c.Request().Context(), mfa.VerifyInput{Customer: st.customer, SessionHash: web.Current(c).IDHash,
		Purpose: mfa.StepUpPurpose(st.op.name), Use: st.use, Method: mfa.MethodPasskey, Code: string(body), ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrLocked) {
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return web.PasskeyError(c, http.StatusForbidden, "ui.passkey.error.locked")
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	if err := h.recordStepUp(c, st, mfa.MethodPasskey); err != nil {
		return err
	}
	return web.PasskeyDone(c, st.op.next)
}

var passkeyNotices = map[string]string{
	"added":   "ui.passkeys.notice.added",
	"removed": "ui.passkeys.notice.removed",
}

func (h *Handler) passkeySettings(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	keys, err := h.DB.PasskeysOf(c.Request().Context(), customer.ID)
	if err != nil {
		return err
	}
	m := views.PasskeysModel{CanChange: h.Sessions.FreshStepUp(c, "mfa", h.MFA.Config.StepUpWindow),
		Info: passkeyNotices[c.QueryParam("notice")]}
	for _, k := range keys {
		row := views.PasskeyRow{ID: k.ID, Name: k.Name, Created: k.CreatedAt, Cloned: k.Cloned}
		if k.LastUsedAt.Unix() > 0 {
			row.LastUsed = k.LastUsedAt
		}
		m.Passkeys = append(m.Passkeys, row)
	}
	return web.Render(c, http.StatusOK, views.PasskeysPage(m))
}

func (h *Handler) passkeyRegisterOptions(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyRegistration(c.Request().Context(), customer, web.Current(c).IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) passkeyRegister(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	name := c.FormValue("name")
	if msg := web.CheckText(name, true, 40); !msg.Empty() {
		return web.PasskeyError(c, http.StatusUnprocessableEntity, "ui.passkey.error.name", web.Text(c, msg.Key, msg.Args...))
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.FinishPasskeyRegistration(c.Request().Context(), mfa.PasskeyRegistration{Customer: customer,
		SessionHash: web.Current(c).IDHash, Name: name, TradingPassword: c.FormValue("trading_password"),
		Response: body, ClientIP: c.RealIP()})
	if err != nil {
		return registrationFailure(c, err)
	}
	return web.PasskeyDone(c, "/settings/passkeys?notice=added")
}

// registrationFailure answers a refused passkey registration.
func registrationFailure(c echo.Context, err error) error {
	switch {
	case errors.Is(err, mfa.ErrBusy):
		return web.PasskeyBusy(c)
	case errors.Is(err, mfa.ErrLocked):
		return web.PasskeyError(c, http.StatusForbidden, "ui.passkey.error.locked_short")
	}
	return passkeyFailure(c, err)
}

var errPasskeyNotFound = &web.UserError{Status: http.StatusNotFound, Title: "ui.passkeys.not_found.title",
	Message: "ui.passkeys.not_found.message"}

func (h *Handler) passkeyRemove(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return errPasskeyNotFound
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.RemovePasskey(c.Request().Context(), customer, id, web.Current(c).IDHash, c.RealIP())
	if errors.Is(err, data.ErrNotFound) {
		return errPasskeyNotFound
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/passkeys?notice=removed")
}

func (h *Handler) passkeyPrompt(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(c.Request().Context(), customer)
	if err != nil {
		return err
	}
	if !plan.PromptPasskey {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	cfg := h.MFA.Config
	return web.Render(c, http.StatusOK, views.PasskeyPromptPage(views.PasskeyPromptModel{
		RequiredFrom: cfg.PhishingResistantFrom, InterimUntil: cfg.InterimMethodsUntil,
		CanPostpone: plan.CanPostpone, Remaining: cfg.PasskeyPostpones - customer.PasskeyPromptsPostponed}))
}

func (h *Handler) passkeyPostpone(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(c.Request().Context(), customer)
	if err != nil {
		return err
	}
	if !plan.CanPostpone {
		return c.Redirect(http.StatusSeeOther, "/passkey/prompt")
	}
	if err := h.DB.PostponePasskeyPrompt(c.Request().Context(), customer.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/home")
}
