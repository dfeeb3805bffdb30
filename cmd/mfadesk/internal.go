package main

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"mfadesk/scim"
	"mfadesk/support"
	"mfadesk/web"
)

// newInternal is the internal listener's handler (--internal-addr): the
// SCIM provisioning API under /scim/v2, with the access log and panic
// recovery of the other listeners, and 404 for every other path. It is
// never mounted on the customer or console listener.
func newInternal(desk *support.Service, log *slog.Logger) (http.Handler, error) {
	api, err := (&scim.Handler{Support: desk, Log: log}).NewHTTPHandler()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.RequestID())
	e.Use(web.AccessLog(log))
	e.Use(middleware.Recover())
	e.Any(scim.Prefix+"/v2", echo.WrapHandler(api))
	e.Any(scim.Prefix+"/v2/*", echo.WrapHandler(api))
	return e, nil
}
