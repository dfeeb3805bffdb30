package customer

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/views"
	"mfadesk/web"
)

func (h *Handler) home(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(c.Request().Context(), customer)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.HomePage(views.HomeModel{
		Name: customer.NameKanji, AccountNumber: customer.AccountNumber,
		NoEmailDeadline: plan.NoEmailDeadline, EmailFallback: plan.EmailFallback,
	}))
}
