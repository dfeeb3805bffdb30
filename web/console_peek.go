package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
)

// Peek returns the live session this manager's cookie names, without
// attaching it to the request or recording activity, or nil. The console
// uses the customer site's manager to recognise a customer's session and
// refuse it (docs/security.md S28), not to serve it.
func (m *Sessions) Peek(c echo.Context) (*data.Session, error) {
	ck, err := c.Cookie(m.Cookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return nil, nil
	}
	s, err := m.Store.SessionByHash(c.Request().Context(), hashToken(ck.Value))
	if errors.Is(err, data.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := m.Now()
	if s.Site != m.Site || now.Sub(s.LastSeenAt) > m.Idle || now.Sub(s.CreatedAt) > m.Absolute {
		return nil, nil
	}
	return s, nil
}
