package customer

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/web"
)

// The reset's factor step offers a passkey to every reset session alike
// (docs/security.md S63): the options are those of a login with no
// account named, and every refusal, for a session that matched nothing
// too, is the same answer.

// resetCustomer is the customer the reset session's first step matched,
// or nil when it matched nothing.
func (h *Handler) resetCustomer(c echo.Context, s *data.Session) (*data.Customer, error) {
	if s.CustomerID == 0 || mfa.Method(strings.TrimPrefix(s.Method, resetPrefix)) == mfa.MethodNone {
		return nil, nil
	}
	return h.customer(c)
}

// forgotPasskeyRefused is the one answer to a refused reset passkey.
func forgotPasskeyRefused(c echo.Context) error {
	return web.PasskeyError(c, http.StatusUnauthorized, "ui.forgot.verify.passkey_error")
}

func (h *Handler) forgotPasskeyOptions(c echo.Context) error {
	s := resetSession(c, false)
	if s == nil {
		return forgotPasskeyRefused(c)
	}
	customer, err := h.resetCustomer(c, s)
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginResetPasskey(c.Request().Context(), customer, s.IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) forgotPasskey(c echo.Context) error {
	s := resetSession(c, false)
	body, ok := web.CredentialField(c)
	if s == nil || !ok {
		return forgotPasskeyRefused(c)
	}
	customer, err := h.resetCustomer(c, s)
	if err != nil {
		return err
	}
	err = h.MFA.VerifyResetPasskey(c.Request().Context(), customer, s.IDHash, body, c.RealIP())
	if _, _, refused := codeMessage(err); refused || errors.Is(err, mfa.ErrLocked) {
		return forgotPasskeyRefused(c)
	}
	if err != nil {
		return err
	}
	if _, err := h.Sessions.StartAnonymous(c, customer.ID, resetPassed); err != nil {
		return err
	}
	return web.PasskeyDone(c, "/login/forgot/password")
}
