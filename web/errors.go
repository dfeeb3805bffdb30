package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/views"
)

// UserError is an error whose page the visitor may see as it is. Title
// and Message are message keys; the error page translates them.
type UserError struct {
	Status  int
	Title   string
	Message string
}

func (e *UserError) Error() string { return e.Title }

// statusPages are the plain-language pages for HTTP errors Echo raises
// itself (unknown path, wrong method, oversized body); message keys.
var statusPages = map[int]UserError{
	http.StatusBadRequest:            {Title: "ui.error.bad_request.title", Message: "ui.error.bad_request.message"},
	http.StatusForbidden:             {Title: "ui.error.forbidden.title", Message: "ui.error.forbidden.message"},
	http.StatusNotFound:              {Title: "ui.error.not_found.title", Message: "ui.error.not_found.message"},
	http.StatusMethodNotAllowed:      {Title: "ui.error.method.title", Message: "ui.error.method.message"},
	http.StatusRequestEntityTooLarge: {Title: "ui.error.too_large.title", Message: "ui.error.too_large.message"},
	http.StatusTooManyRequests:       {Title: "ui.error.too_many.title", Message: "ui.error.too_many.message"},
	http.StatusUnsupportedMediaType:  {Title: "ui.error.bad_request.title", Message: "ui.error.bad_request.message"},
}

// ErrorHandler is Echo's HTTPErrorHandler: the one place errors become
// pages. Internal errors are logged with a request id and never shown.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		page := userErrorFor(err)
		if page.Status >= 500 {
			log.Error("request failed", "err", err, "method", c.Request().Method,
				"path", c.Path(), "request_id", requestID(c))
		}
		model := views.ErrorModel{Status: page.Status, Title: page.Title, Message: page.Message, RequestID: requestID(c),
			Back: errorBack(c)}
		if c.Request().Method == http.MethodHead {
			c.NoContent(page.Status)
			return
		}
		if rerr := Render(c, page.Status, views.ErrorPage(model)); rerr != nil {
			log.Error("render error page", "err", rerr)
		}
	}
}

func userErrorFor(err error) UserError {
	var ue *UserError
	if errors.As(err, &ue) {
		return *ue
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if p, ok := statusPages[he.Code]; ok {
			p.Status = he.Code
			return p
		}
	}
	if errors.Is(err, data.ErrNotFound) {
		p := statusPages[http.StatusNotFound]
		p.Status = http.StatusNotFound
		return p
	}
	return UserError{Status: http.StatusInternalServerError, Title: "ui.error.internal.title",
		Message: "ui.error.internal.message"}
}

// errorBack is where the language selector of an error page goes: the
// same address for a GET, the top page otherwise (a GET of a POST's
// address would only answer 405).
func errorBack(c echo.Context) string {
	if c.Request().Method == http.MethodGet {
		return c.Request().URL.RequestURI()
	}
	return "/"
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
