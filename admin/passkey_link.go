package admin

import (
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// passkeyLink issues a one-use passkey registration link for the case's
// customer and shows it once, as text and as a QR code for the customer's
// phone; the security headers keep the page out of every cache.
func (h *Handler) passkeyLink(c echo.Context) error {
	path, err := h.Support.IssuePasskeyLink(c.Request().Context(), h.caseActor(c))
	if err != nil {
		return h.afterAction(c, err, "")
	}
	link := h.Support.Origin + path
	png, err := mfa.QRCodePNG(link, 240)
	if err != nil {
		return err
	}
	k := currentCase(c)
	return web.Render(c, http.StatusOK, views.ConsolePasskeyLinkPage(views.ConsolePasskeyLinkModel{
		CaseHref: caseHref(k.ID), URL: link, QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
		ValidMinutes: int(support.PasskeyLinkTTL.Minutes())}))
}
