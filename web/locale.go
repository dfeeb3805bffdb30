package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/views"
)

// LangCookie holds the language chosen with the selector.
const LangCookie = "mfadesk_lang"

const (
	langKey    = "web.lang"
	catalogKey = "web.catalog"
)

// Localize is middleware choosing each request's language: the
// selector's cookie, then Accept-Language, then Japanese.
func Localize(catalog *views.Catalog) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			cookie := ""
			if ck, err := c.Cookie(LangCookie); err == nil {
				cookie = ck.Value
			}
			c.Set(langKey, views.Match(cookie, c.Request().Header.Get("Accept-Language")))
			c.Set(catalogKey, catalog)
			return next(c)
		}
	}
}

// Lang returns the request's language.
func Lang(c echo.Context) string {
	if l, ok := c.Get(langKey).(string); ok {
		return l
	}
	return views.LangJA
}

// Text is the message key in the request's language, for the few answers
// a handler writes itself rather than through a component (the JSON
// errors passkey.js shows). Pages use views.T.
func Text(c echo.Context, key string, args ...any) string {
	cat, ok := c.Get(catalogKey).(*views.Catalog)
	if !ok {
		return key
	}
	return cat.Text(Lang(c), key, args...)
}

// SetLanguage is the language selector: it stores the choice in a cookie
// and goes back to next, or to home when next is not a path on this site.
// It changes no server state, only how pages read.
func SetLanguage(home string) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := views.Match(c.QueryParam("to"), "")
		c.SetCookie(&http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 60 * 60,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
		return c.Redirect(http.StatusSeeOther, SafeNext(c.QueryParam("next"), home))
	}
}
