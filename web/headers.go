package web

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows only same-origin scripts and styles (no
// inline script), and no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// SecurityHeaders sets the headers every response carries. Pages are
// no-store: they show codes, account data or forms with tokens. hsts is
// on outside dev, where the site is served over TLS.
func SecurityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			if strings.HasPrefix(c.Request().URL.Path, "/static/") {
				h.Set("Cache-Control", "public, max-age=3600")
			} else {
				h.Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	}
}
