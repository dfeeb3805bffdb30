package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"
)

// CSRFField is the form field carrying the token (docs/design.md §8).
const CSRFField = "_csrf"

// CSRFHeader carries the token for a script that sends no form.
const CSRFHeader = "X-CSRF-Token"

// CSRF refuses every state-changing request whose token does not match
// the session's (or the pre-session's, for an anonymous visitor), and any
// request the browser marks as cross-site. The token is bound to a cookie
// the browser holds and derived on the server, so a cookie planted by
// another site cannot forge it. It is read from the request body or the
// header only, never the query string, where it would leak into logs,
// history and Referer.
func CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if c.Request().Header.Get("Sec-Fetch-Site") == "cross-site" {
			return ErrCSRF
		}
		want, got := CSRFToken(c), submittedToken(c)
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return ErrCSRF
		}
		return next(c)
	}
}

// submittedToken is the token from the header, else the body. Echo's
// FormValue would read the query string too.
func submittedToken(c echo.Context) string {
	if t := c.Request().Header.Get(CSRFHeader); t != "" {
		return t
	}
	return c.Request().PostFormValue(CSRFField)
}

// ErrCSRF is the answer to a missing, stale or forged token. The usual
// cause is an old tab, so the page says to start again.
var ErrCSRF = &UserError{
	Status:  http.StatusForbidden,
	Title:   "ui.error.csrf.title",
	Message: "ui.error.csrf.message",
}
