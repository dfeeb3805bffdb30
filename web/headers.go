package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows only same-origin scripts and styles (no
// inline script), and no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// constHeader is a response header with a value that never changes,
// made once: the key canonical and the value the slice Header.Set would
// make. Every response shares that slice, which is safe: nothing in
// net/http, Echo or here writes into a header's value slice, and
// Header.Add copies one of capacity 1 rather than extending it.
type constHeader struct {
	key   string
	value []string
}

func newConstHeader(key, value string) constHeader {
	return constHeader{http.CanonicalHeaderKey(key), []string{value}}
}

// set is h.Set(key, value) without canonicalising the key and
// allocating the value on every response.
func (c constHeader) set(h http.Header) { h[c.key] = c.value }

var (
	securityHeaders = []constHeader{
		newConstHeader("Content-Security-Policy", contentSecurityPolicy),
		newConstHeader("X-Content-Type-Options", "nosniff"),
		newConstHeader("X-Frame-Options", "DENY"),
		newConstHeader("Referrer-Policy", "same-origin"),
		newConstHeader("Cross-Origin-Opener-Policy", "same-origin"),
		newConstHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
	}
	hstsHeader   = newConstHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	cacheStatic  = newConstHeader("Cache-Control", "public, max-age=3600")
	cacheNoStore = newConstHeader("Cache-Control", "no-store")
)

// SecurityHeaders sets the headers every response carries. Pages are
// no-store: they show codes, account data or forms with tokens. hsts is
// on outside dev, where the site is served over TLS.
func SecurityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for _, sh := range securityHeaders {
				sh.set(h)
			}
			if hsts {
				hstsHeader.set(h)
			}
			if strings.HasPrefix(c.Request().URL.Path, "/static/") {
				cacheStatic.set(h)
			} else {
				cacheNoStore.set(h)
			}
			return next(c)
		}
	}
}
