package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// assist is the guided page partner staff (and agents) follow while the
// customer enrols the authenticator app on their own phone at
// /settings/mfa. It shows steps and the customer's factors, refreshed on
// reload; never a secret, never a QR code: the customer's phone shows
// those to the customer only. routes.go puts it behind requireStrong (at a
// shop: the document check).
func (h *Handler) assist(c echo.Context) error {
	ctx := c.Request().Context()
	supportCase := currentCase(c)
	factors, err := h.factorRows(ctx, supportCase.CustomerID)
	if err != nil {
		return err
	}
	pending, err := h.DB.ReenrolmentPending(ctx, supportCase.CustomerID)
	if err != nil {
		return err
	}
	e := event(c, "customer.assist.view", "success")
	e.CaseID, e.CustomerID = supportCase.ID, supportCase.CustomerID
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ConsoleAssistPage(views.ConsoleAssistModel{CaseHref: caseHref(supportCase.ID),
		Factors: factors, ReenrolmentPending: pending, CheckedAt: h.DB.Now()}))
}

// factorRows lists the customer's factors and passkeys with names and
// dates, never a secret (docs/security.md S32).
func (h *Handler) factorRows(ctx context.Context, customerID int64) ([]views.ConsoleFactorRow, error) {
	factors, err := h.DB.ConfirmedFactors(ctx, customerID)
	if err != nil {
		return nil, err
	}
	passkeys, err := h.DB.PasskeysOf(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []views.ConsoleFactorRow
	for _, f := range factors {
		row := views.ConsoleFactorRow{Kind: f.Kind, Added: f.ConfirmedAt,
			UseLogin: f.UseLogin, UseAccount: f.UseAccount, UseWithdrawal: f.UseWithdrawal}
		if f.Kind == data.FactorSMS {
			row.Detail = contact.MaskPhone(f.Phone)
		}
		out = append(out, row)
	}
	for _, p := range passkeys {
		row := views.ConsoleFactorRow{Kind: "passkey", PasskeyName: p.Name, Cloned: p.Cloned, Added: p.CreatedAt,
			UseLogin: p.UseLogin, UseAccount: p.UseAccount, UseWithdrawal: p.UseWithdrawal}
		if p.LastUsedAt.Unix() > 0 {
			row.LastUsed = p.LastUsedAt
		}
		out = append(out, row)
	}
	return out, nil
}

// deliveryLimit is how many messages the case page's delivery log shows.
const deliveryLimit = 30

// deliveryRows is the customer's delivery log, addresses masked and
// bodies never read: they may carry codes. A partner sees only the
// messages of the cases they opened, the cases they may work on (loadCase):
// other organisations' codes and notices are none of their business.
func (h *Handler) deliveryRows(ctx context.Context, st *data.Staff, customerID int64) ([]views.DeliveryRow, error) {
	var caseStaffID int64
	if st.Role == support.RolePartner {
		caseStaffID = st.ID
	}
	log, err := h.DB.DeliveryLog(ctx, customerID, caseStaffID, deliveryLimit)
	if err != nil {
		return nil, err
	}
	out := make([]views.DeliveryRow, 0, len(log))
	for _, m := range log {
		out = append(out, views.DeliveryRow{Kind: m.Kind, Channel: m.Channel, To: contact.Mask(m.Channel, m.To),
			Status: m.Status, Attempts: strconv.Itoa(m.Attempts), LastError: m.LastError,
			At: m.CreatedAt, Updated: m.UpdatedAt})
	}
	return out, nil
}
