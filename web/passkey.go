package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// PasskeyResult is what passkey.js reads after a ceremony on either site.
// Error is text in the request's language: the script shows it as it is.
type PasskeyResult struct {
	OK       bool   `json:"ok"`
	Redirect string `json:"redirect,omitempty"`
	Error    string `json:"error,omitempty"`
}

// maxCredentialJSON bounds the browser's answer; real ones are a few KB.
const maxCredentialJSON = 16 * 1024

// CredentialField reads the browser's answer to a ceremony from the form.
func CredentialField(c echo.Context) ([]byte, bool) {
	v := c.FormValue("credential")
	return []byte(v), v != "" && len(v) <= maxCredentialJSON
}

// PasskeyError answers a refused ceremony with the message for key.
func PasskeyError(c echo.Context, status int, key string, args ...any) error {
	return c.JSON(status, PasskeyResult{Error: Text(c, key, args...)})
}

// PasskeyDone answers a passed ceremony: passkey.js goes to next.
func PasskeyDone(c echo.Context, next string) error {
	return c.JSON(http.StatusOK, PasskeyResult{OK: true, Redirect: next})
}

// PasskeyBusy answers a ceremony refused because password hashing is full.
func PasskeyBusy(c echo.Context) error {
	return BusyJSON(c, PasskeyResult{Error: Text(c, BusyMessage)})
}
