package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"
)

// CSRFField is the form field carrying the token (DESIGN §4).
const CSRFField = "_csrf"

// CSRF refuses every state-changing request whose `_csrf` field does not
// match the session's token, and any request the browser marks as
// cross-site. The token is bound to the server-side session, so a cookie
// planted by another site cannot forge it.
func CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if c.Request().Header.Get("Sec-Fetch-Site") == "cross-site" {
			return ErrCSRF
		}
		s := Current(c)
		token := c.FormValue(CSRFField)
		if s == nil || token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRFToken)) != 1 {
			return ErrCSRF
		}
		return next(c)
	}
}

// ErrCSRF is the answer to a missing, stale or forged token. The usual
// cause is an old tab, so the page says to start again.
var ErrCSRF = &UserError{
	Status:  http.StatusForbidden,
	Title:   "ui.error.csrf.title",
	Message: "ui.error.csrf.message",
}
