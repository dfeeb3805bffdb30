package web

import (
	"bytes"
	"sync"

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
	page.CSRF = CSRFToken(c)
	if s := Current(c); s != nil {
		page.LoggedIn = s.Level == data.LevelFull
		page.Pending = s.Level == data.LevelPassword
	}
	ctx := views.WithPage(c.Request().Context(), page)
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.Render(ctx, buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// pageBuffers hold pages while they render, so that an error still
// leaves the response unwritten; the response copies the page out, so
// a buffer is reused rather than grown anew for every page.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage keeps a rare huge page (a long report) from holding its
// memory in the pool.
const maxPooledPage = 256 << 10

func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledPage {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}
