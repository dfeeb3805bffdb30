package web

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
)

// AccessLog writes one line per request: its id (the X-Request-Id every
// response carries), the route pattern, status and duration. The route
// pattern ("/console/cases/:id"), never the path or the query: a query can
// carry a code or a token, and a path can carry an account number.
// Scanners' unknown paths are logged as "unmatched".
//
// It runs the error handler itself, so the status it logs is the one the
// client got, and it must stand outside Recover so a panic is logged as
// the 500 it becomes.
func AccessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			route := c.Path()
			status := c.Response().Status
			if route == "" || status == 404 {
				route = "unmatched"
			}
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("request_id", requestID(c)),
				slog.String("method", methodLabel(c.Request().Method)),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", c.Response().Size),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			)
			return nil
		}
	}
}

// methodLabel keeps a method a client made up out of the log as it is:
// it is free text.
func methodLabel(m string) string {
	if standardMethod(m) {
		return m
	}
	return "other"
}
