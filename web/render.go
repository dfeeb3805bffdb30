package web

import (
	"bytes"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/views"
)

// Render renders a templ component as the whole response. The page
// context (CSRF token, whether someone is logged in) reaches components
// through views.PageFrom, not through every model.
func Render(c echo.Context, status int, t templ.Component) error {
	page := views.Page{Lang: Lang(c), Path: c.Request().URL.RequestURI()}
	if cat, ok := c.Get(catalogKey).(*views.Catalog); ok {
		page.Catalog = cat
	}
	if s := Current(c); s != nil {
		page.CSRF = s.CSRFToken
		page.LoggedIn = s.Level == data.LevelFull
		page.Pending = s.Level == data.LevelPassword
	}
	ctx := views.WithPage(c.Request().Context(), page)
	var buf bytes.Buffer
	if err := t.Render(ctx, &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}
