package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/views"
)

// BusyMessage is the key of what a visitor reads when a password could
// not be checked because too many checks were already running
// (mfa.ErrBusy; web does not import mfa, so handlers recognise the error
// and call Busy). Translate it with Text for a JSON answer.
const BusyMessage = "ui.error.busy.message"

// busyRetryAfter is the Retry-After of a busy answer, in seconds.
const busyRetryAfter = "5"

// Busy answers 503 with Retry-After and a plain page. It renders the page
// itself rather than returning a UserError, because the error handler logs
// every 5xx as a failure, and an overload would then also flood the log
// with one error line per refused login.
func Busy(c echo.Context) error {
	c.Response().Header().Set("Retry-After", busyRetryAfter)
	if c.Request().Method == http.MethodHead {
		return c.NoContent(http.StatusServiceUnavailable)
	}
	return Render(c, http.StatusServiceUnavailable, views.ErrorPage(views.ErrorModel{
		Status: http.StatusServiceUnavailable, Title: "ui.error.busy.title", Message: BusyMessage, RequestID: requestID(c),
		Back: errorBack(c)}))
}

// BusyJSON is Busy for the passkey endpoints, which answer JSON.
func BusyJSON(c echo.Context, body any) error {
	c.Response().Header().Set("Retry-After", busyRetryAfter)
	return c.JSON(http.StatusServiceUnavailable, body)
}
