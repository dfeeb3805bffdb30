// Package customer is the customer site's HTTP surface: thin handlers that
// parse forms, call mfa and render views.
package customer

import (
	"context"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// Handler holds what the customer site's handlers need; main wires it.
type Handler struct {
	DB       *data.DB
	MFA      *mfa.Service
	Sessions *web.Sessions
	// Support answers the possession links the desk sends (verify_link.go).
	Support *support.Service
	// DevDelivery shows the outbox at /dev/outbox instead of sending.
	DevDelivery bool
}

const customerKey = "customer.row"

// customer returns the customer of the request's session, read once per
// request: middleware and handler share the row.
func (h *Handler) customer(c echo.Context) (*data.Customer, error) {
	if cu, ok := c.Get(customerKey).(*data.Customer); ok {
		return cu, nil
	}
	s := web.Current(c)
	cu, err := h.DB.CustomerByID(c.Request().Context(), s.CustomerID)
	if err != nil {
		return nil, err
	}
	c.Set(customerKey, cu)
	return cu, nil
}

func (h *Handler) audit(ctx context.Context, e data.AuditEvent) error {
	return h.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) })
}

// rememberLanguage stores the language the customer chose with the
// selector, so the notices sent to them read in it too. It writes only
// when the choice differs from the one stored.
func (h *Handler) rememberLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(web.LangCookie)
		if err != nil {
			return next(c)
		}
		customer, err := h.customer(c)
		if err != nil {
			return err
		}
		if lang := views.Match(ck.Value, ""); customer.Lang != lang {
			if err := h.DB.SetCustomerLang(c.Request().Context(), customer.ID, lang); err != nil {
				return err
			}
			customer.Lang = lang
		}
		return next(c)
	}
}
