package main

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// registerOps adds the operational endpoints: /healthz.
func (a *App) registerOps(e *echo.Echo) error {
	e.GET("/healthz", func(c echo.Context) error {
		if err := a.DB.Ping(c.Request().Context()); err != nil {
			return c.String(http.StatusServiceUnavailable, "database unavailable\n")
		}
		return c.String(http.StatusOK, "ok\n")
	})
	return nil
}

// startDelivery starts sending what the outbox holds; with dev delivery
// messages stay in the outbox. It returns a function that stops it.
func (a *App) startDelivery(ctx context.Context) (stop func()) {
	return func() {}
}
