package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
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
	k := currentCase(c)
	factors, err := h.factorRows(ctx, k.CustomerID)
	if err != nil {
		return err
	}
	pending, err := h.DB.ReenrolmentPending(ctx, k.CustomerID)
	if err != nil {
		return err
	}
	e := event(c, "customer.assist.view", "success")
	e.CaseID, e.CustomerID = k.ID, k.CustomerID
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ConsoleAssistPage(views.ConsoleAssistModel{CaseHref: caseHref(k.ID),
		Factors: factors, ReenrolmentPending: pending, CheckedAt: views.DateTime(h.DB.Now())}))
}

// factorRows lists the customer's factors and passkeys with names and
// dates, never a secret (SECURITY 32).
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
		row := views.ConsoleFactorRow{Kind: f.Kind, Label: views.FactorKindLabel(f.Kind), Added: views.DateTime(f.ConfirmedAt),
			Uses: usesLabel(f.UseLogin, f.UseAccount, f.UseWithdrawal)}
		if f.Kind == data.FactorSMS {
			row.Detail = views.MaskPhone(f.Phone)
		}
		out = append(out, row)
	}
	for _, p := range passkeys {
		row := views.ConsoleFactorRow{Kind: "passkey", Label: views.FactorKindLabel("passkey"), Detail: "「" + p.Name + "」",
			Added: views.DateTime(p.CreatedAt), Uses: usesLabel(p.UseLogin, p.UseAccount, p.UseWithdrawal)}
		if p.LastUsedAt.Unix() > 0 {
			row.LastUsed = views.DateTime(p.LastUsedAt)
		}
		if p.Cloned {
			row.Detail += "（複製の疑いで停止中）"
		}
		out = append(out, row)
	}
	return out, nil
}

func usesLabel(login, account, withdrawal bool) string {
	var out []string
	for _, u := range []struct {
		on    bool
		label string
	}{{login, "ログイン"}, {account, "登録情報"}, {withdrawal, "出金"}} {
		if u.on {
			out = append(out, u.label)
		}
	}
	if len(out) == 0 {
		return "なし"
	}
	return views.JoinJP(out)
}

// deliveryLimit is how many messages the case page's delivery log shows.
const deliveryLimit = 30

// deliveryRows is the customer's delivery log, addresses masked and
// bodies never read: they may carry codes.
func (h *Handler) deliveryRows(ctx context.Context, customerID int64) ([]views.DeliveryRow, error) {
	log, err := h.DB.DeliveryLog(ctx, customerID, deliveryLimit)
	if err != nil {
		return nil, err
	}
	out := make([]views.DeliveryRow, 0, len(log))
	for _, m := range log {
		out = append(out, views.DeliveryRow{Kind: m.Kind, Channel: m.Channel, To: maskTo(m.Channel, m.To),
			Status: m.Status, Attempts: strconv.Itoa(m.Attempts), LastError: m.LastError,
			At: views.DateTime(m.CreatedAt), Updated: views.DateTime(m.UpdatedAt)})
	}
	return out, nil
}
