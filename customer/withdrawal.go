package customer

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

const maxWithdrawal = 100_000_000

// holdReasons are the message keys naming why withdrawals are held.
var holdReasons = map[string]string{
	"contact_change": "ui.withdrawal.hold.contact_change",
	"support_reset":  "ui.withdrawal.hold.support_reset",
	"bank_change":    "ui.withdrawal.hold.bank_change",
	"password_reset": "ui.withdrawal.hold.password_reset",
}

func (h *Handler) withdrawalForm(c echo.Context) error {
	m, err := h.withdrawalModel(c)
	if err != nil {
		return err
	}
	if c.QueryParam("notice") == "requested" {
		m.Info = "ui.withdrawal.requested"
	}
	return web.Render(c, http.StatusOK, views.WithdrawalPage(m))
}

func (h *Handler) withdrawalModel(c echo.Context) (views.WithdrawalModel, error) {
	ctx := c.Request().Context()
	customer, err := h.customer(c)
	if err != nil {
		return views.WithdrawalModel{}, err
	}
	bank, err := h.DB.BankAccountOf(ctx, customer.ID)
	if err != nil {
		return views.WithdrawalModel{}, err
	}
	m := views.WithdrawalModel{Bank: bankLabel(bank)}
	if h.MFA.WithdrawalHeld(customer) {
		m.HoldUntil = customer.WithdrawalHoldUntil
		if m.HoldReason = holdReasons[customer.WithdrawalHoldReason]; m.HoldReason == "" {
			m.HoldReason = "ui.withdrawal.hold.other"
		}
	}
	recent, err := h.DB.RecentWithdrawals(ctx, customer.ID, 5)
	if err != nil {
		return views.WithdrawalModel{}, err
	}
	for _, w := range recent {
		m.Recent = append(m.Recent, views.WithdrawalRow{Amount: w.Amount, At: w.RequestedAt})
	}
	return m, nil
}

// parseAmount reads a yen amount as people type it: full-width digits,
// commas, a trailing 円. The second result is the message of a refusal.
func parseAmount(raw string) (int64, views.Message) {
	if msg := web.CheckText(raw, true, 20); !msg.Empty() {
		return 0, msg
	}
	s := strings.NewReplacer(",", "", "円", "", " ", "").Replace(norm.NFKC.String(strings.TrimSpace(raw)))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > maxWithdrawal {
		return 0, views.Message{Key: "ui.withdrawal.error.amount"}
	}
	return n, views.Message{}
}

func (h *Handler) withdrawalSubmit(c echo.Context) error {
	amount, msg := parseAmount(c.FormValue("amount"))
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	if !msg.Empty() {
		m, err := h.withdrawalModel(c)
		if err != nil {
			return err
		}
		m.Error = msg
		if web.CheckText(c.FormValue("amount"), false, 20).Empty() {
			m.Amount = c.FormValue("amount")
		}
		return web.Render(c, http.StatusUnprocessableEntity, views.WithdrawalPage(m))
	}
	plan, err := h.MFA.PlanStepUp(c.Request().Context(), customer, mfa.UseWithdrawal)
	if err != nil {
		return err
	}
	id, err := h.MFA.StartWithdrawal(c.Request().Context(), customer, amount, plan.Required, c.RealIP())
	if errors.Is(err, mfa.ErrWithdrawalHeld) {
		return h.withdrawalHeld(c)
	}
	if err != nil {
		return err
	}
	if plan.Required {
		return c.Redirect(http.StatusSeeOther, stepUpURL("withdrawal:"+strconv.FormatInt(id, 10), "", ""))
	}
	return c.Redirect(http.StatusSeeOther, "/withdrawal?notice=requested")
}

// withdrawalHeld answers a withdrawal during the hold with its reason and end.
func (h *Handler) withdrawalHeld(c echo.Context) error {
	m, err := h.withdrawalModel(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusForbidden, views.WithdrawalPage(m))
}

// withdrawalOp reads the :id of a withdrawal route as its step-up operation.
func withdrawalOp(c echo.Context) (int64, string, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, "", &web.UserError{Status: http.StatusNotFound, Title: "ui.withdrawal.not_found.title",
			Message: "ui.withdrawal.not_found.message"}
	}
	return id, "withdrawal:" + strconv.FormatInt(id, 10), nil
}

// requireWithdrawalStepUp lets through only a session whose last step-up
// was for this very withdrawal (its id in the path) and is fresh.
func (h *Handler) requireWithdrawalStepUp(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, op, err := withdrawalOp(c)
		if err != nil {
			return err
		}
		return h.requireStepUp(op)(next)(c)
	}
}

// withdrawalConfirmForm shows the amount and account the second factor
// approved; only the POST below requests the withdrawal.
func (h *Handler) withdrawalConfirmForm(c echo.Context) error {
	id, _, err := withdrawalOp(c)
	if err != nil {
		return err
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	w, err := h.DB.WithdrawalOf(c.Request().Context(), customer.ID, id)
	if err != nil {
		return err
	}
	bank, err := h.DB.BankAccountOf(c.Request().Context(), customer.ID)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.WithdrawalConfirmPage(views.WithdrawalConfirmModel{ID: id, Amount: w.Amount, Bank: bankLabel(bank)}))
}

func (h *Handler) withdrawalConfirm(c echo.Context) error {
	id, _, err := withdrawalOp(c)
	if err != nil {
		return err
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.ConfirmWithdrawal(c.Request().Context(), customer, id, c.RealIP())
	switch {
	case errors.Is(err, mfa.ErrWithdrawalHeld):
		return h.withdrawalHeld(c)
	case errors.Is(err, data.ErrConflict):
		return &web.UserError{Status: http.StatusConflict, Title: "ui.withdrawal.conflict.title",
			Message: "ui.withdrawal.conflict.message"}
	case err != nil:
		return err
	}
	// One second factor approves one withdrawal.
	if err := h.DB.StepUpUsed(c.Request().Context(), web.Current(c).IDHash); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/withdrawal?notice=requested")
}
