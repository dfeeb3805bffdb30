package customer

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/views"
	"mfadesk/web"
)

// outboxJSON is one message of /dev/outbox.json (docs/design.md §8).
type outboxJSON struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

const devOutboxLimit = 200

func (h *Handler) devOutboxJSON(c echo.Context) error {
	msgs, err := h.DB.RecentMessages(c.Request().Context(), devOutboxLimit)
	if err != nil {
		return err
	}
	out := make([]outboxJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, outboxJSON{ID: m.ID, Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body,
			CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)})
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) devOutbox(c echo.Context) error {
	msgs, err := h.DB.RecentMessages(c.Request().Context(), devOutboxLimit)
	if err != nil {
		return err
	}
	rows := make([]views.OutboxRow, 0, len(msgs))
	for _, m := range msgs {
		rows = append(rows, views.OutboxRow{ID: m.ID, Channel: m.Channel, To: m.To, Subject: m.Subject,
			Body: m.Body, CreatedAt: m.CreatedAt})
	}
	return web.Render(c, http.StatusOK, views.OutboxPage(rows))
}
