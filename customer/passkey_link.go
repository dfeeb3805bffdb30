package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The page a passkey registration link from the desk opens (docs/
// operations.md): no login, the customer has no usable factor. It only
// registers a passkey for the link's customer on this device, then logs
// in with it. The ceremony's challenge lives in an anonymous session and
// is begun for the link's customer, so it registers for no one else.

func (h *Handler) passkeyLinkForm(c echo.Context) error {
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	l, err := h.Support.OpenPasskeyLink(c.Request().Context(), c.Param("token"), c.RealIP())
	if err != nil {
		return linkError(err)
	}
	return web.Render(c, http.StatusOK, views.PasskeyLinkPage(views.PasskeyLinkModel{
		Action: support.PasskeyLinkPath + c.Param("token"), ExpiresAt: l.ExpiresAt}))
}

// passkeyLinkFailure answers a refusal of the link, or of the ceremony,
// as JSON in the page's language.
func passkeyLinkFailure(c echo.Context, err error) error {
	switch {
	case errors.Is(err, support.ErrLinkInvalid):
		return web.PasskeyError(c, http.StatusNotFound, "ui.verify_link.invalid")
	case errors.Is(err, support.ErrAttemptLimit):
		return web.PasskeyError(c, http.StatusTooManyRequests, errAddressThrottled.Message)
	}
	return registrationFailure(c, err)
}

func (h *Handler) passkeyLinkOptions(c echo.Context) error {
	l, err := h.Support.OpenPasskeyLink(c.Request().Context(), c.Param("token"), c.RealIP())
	if err != nil {
		return passkeyLinkFailure(c, err)
	}
	return h.anonymousOptions(c, func(sessionHash string) ([]byte, error) {
		return h.MFA.BeginPasskeyRegistration(c.Request().Context(), l.Customer, sessionHash)
	})
}

func (h *Handler) passkeyLinkRegister(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	s := web.Current(c)
	if s == nil {
		return passkeyFailure(c, mfa.ErrNoCeremony)
	}
	l, err := h.Support.OpenPasskeyLink(c.Request().Context(), c.Param("token"), c.RealIP())
	if err != nil {
		return passkeyLinkFailure(c, err)
	}
	err = h.MFA.FinishPasskeyRegistration(c.Request().Context(), mfa.PasskeyRegistration{Customer: l.Customer,
		SessionHash: s.IDHash, Name: web.Text(c, "ui.passkey_link.device_name"), Response: body, ClientIP: c.RealIP(),
		UseLink: l.UseUp(c.RealIP())})
	if err != nil {
		return passkeyLinkFailure(c, err)
	}
	next, err := h.completeLogin(c, l.Customer, mfa.MethodPasskey)
	if err != nil {
		return err
	}
	return web.PasskeyDone(c, next)
}
