package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The page a support letter names: the customer types its code
// themselves, so it is never read to anyone (docs/security.md S62). No
// login: the letter is for customers who cannot log in.

func (h *Handler) postForm(c echo.Context) error {
	if err := h.Sessions.PreSession(c); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.VerifyPostPage(views.VerifyPostModel{}))
}

func (h *Handler) postSubmit(c echo.Context) error {
	loginID := c.FormValue("login_id")
	if msg := web.CheckText(loginID, true, 64); !msg.Empty() {
		return web.Render(c, http.StatusUnprocessableEntity, views.VerifyPostPage(views.VerifyPostModel{Error: msg}))
	}
	err := h.Support.ConfirmPostalCode(c.Request().Context(), loginID, c.FormValue("code"), c.RealIP())
	if errors.Is(err, support.ErrPostalCodeInvalid) {
		return web.Render(c, http.StatusUnauthorized, views.VerifyPostPage(views.VerifyPostModel{LoginID: loginID,
			Error: views.Message{Key: "ui.verify_post.error"}}))
	}
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.VerifyPostPage(views.VerifyPostModel{Done: true}))
}
