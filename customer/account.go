package customer

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

var accountNotices = map[string]string{
	"email-changed": "ui.account.notice.email_changed",
	"phone-changed": "ui.account.notice.phone_changed",
	"bank-changed":  "ui.account.notice.bank_changed",
}

// requireAccountStepUp asks for a fresh second factor before the
// registration information, when the customer's settings say so.
func (h *Handler) requireAccountStepUp(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		customer, err := h.customer(c)
		if err != nil {
			return err
		}
		plan, err := h.MFA.PlanStepUp(c.Request().Context(), customer, mfa.UseAccount)
		if err != nil {
			return err
		}
		if plan.Required && !h.Sessions.FreshStepUp(c, "account", h.MFA.Config.StepUpWindow) {
			return c.Redirect(http.StatusSeeOther, stepUpURL("account", "", "expired"))
		}
		return next(c)
	}
}

func (h *Handler) account(c echo.Context) error {
	m, err := h.accountModel(c)
	if err != nil {
		return err
	}
	m.Info = accountNotices[c.QueryParam("notice")]
	return web.Render(c, http.StatusOK, views.AccountPage(m))
}

func (h *Handler) accountModel(c echo.Context) (views.AccountModel, error) {
	customer, err := h.customer(c)
	if err != nil {
		return views.AccountModel{}, err
	}
	m := views.AccountModel{Name: customer.NameKanji, NameKana: customer.NameKana, AccountNumber: customer.AccountNumber,
		BirthDate: customer.BirthDate, Email: customer.Email, Phone: customer.Phone,
		Masked: !h.Sessions.FreshStepUp(c, "account", h.MFA.Config.StepUpWindow)}
	if bank, err := h.DB.BankAccountOf(c.Request().Context(), customer.ID); err == nil {
		m.Bank = bankLabel(bank)
	} else if !errors.Is(err, data.ErrNotFound) {
		return views.AccountModel{}, err
	}
	// An empty contact stays empty: the page says it is not registered.
	if m.Masked {
		m.Email, m.Phone = contact.MaskEmail(m.Email), contact.MaskPhone(m.Phone)
	} else {
		m.Phone = contact.Domestic(m.Phone)
	}
	return m, nil
}

func bankLabel(b *data.BankAccount) string {
	return b.BankName + " " + b.BranchName + " " + b.AccountType + " " + contact.MaskTail(b.AccountNumber)
}

// contactSend starts a change of email ("email") or phone ("phone"): the
// code goes to the new contact, which replaces the old one only when the
// code comes back.
func (h *Handler) contactSend(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		field, channel := "new_email", "email"
		if kind == mfa.ContactPhone {
			field, channel = "new_phone", "sms"
		}
		raw := c.FormValue(field)
		to, msg := parseContact(kind, raw)
		if !msg.Empty() {
			m, err := h.accountModel(c)
			if err != nil {
				return err
			}
			m.Errors = web.FieldErrors{field: msg}
			if web.CheckText(raw, false, 254).Empty() {
				m.NewEmail, m.NewPhone = c.FormValue("new_email"), c.FormValue("new_phone")
			}
			return web.Render(c, http.StatusUnprocessableEntity, views.AccountPage(m))
		}
		customer, err := h.customer(c)
		if err != nil {
			return err
		}
		err = h.MFA.SendContactCode(c.Request().Context(), customer, web.Current(c).IDHash, mfa.ContactPurpose(kind), channel, to)
		if errors.Is(err, mfa.ErrResendTooSoon) || errors.Is(err, mfa.ErrSendLimit) {
			return errSendWait
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/account/"+kind+"/confirm")
	}
}

// parseContact validates a new email address or mobile number and returns
// it in stored form, or the message to show beside the field.
func parseContact(kind, raw string) (string, views.Message) {
	if msg := web.CheckText(raw, true, 254); !msg.Empty() {
		return "", msg
	}
	v, err := mfa.ParseContact(kind, raw)
	if err != nil {
		return "", views.Message{Key: "ui.account.error." + kind}
	}
	return v, views.Message{}
}

func (h *Handler) contactConfirmForm(kind string) echo.HandlerFunc {
	return func(c echo.Context) error { return h.renderContactConfirm(c, kind, http.StatusOK, "") }
}

func (h *Handler) renderContactConfirm(c echo.Context, kind string, status int, msg string) error {
	ch, err := h.DB.LatestChallenge(c.Request().Context(), web.Current(c).IDHash, mfa.ContactPurpose(kind))
	if errors.Is(err, data.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, "/account")
	}
	if err != nil {
		return err
	}
	return web.Render(c, status, views.ContactConfirmPage(views.ContactConfirmModel{Kind: kind,
		To: contact.Mask(ch.Channel, ch.Destination), Error: msg}))
}

func (h *Handler) contactConfirm(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		customer, err := h.customer(c)
		if err != nil {
			return err
		}
		err = h.MFA.ConfirmContact(c.Request().Context(), mfa.ContactChange{Customer: customer,
			SessionHash: web.Current(c).IDHash, Kind: kind, Code: c.FormValue("code"), ClientIP: c.RealIP()})
		if errors.Is(err, mfa.ErrLocked) {
			return h.lockedOut(c, customer)
		}
		if msg, status, ok := codeMessage(err); ok {
			return h.renderContactConfirm(c, kind, status, msg)
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/account?notice="+kind+"-changed")
	}
}
