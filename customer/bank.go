package customer

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

var accountNumber = regexp.MustCompile(`^[0-9]{7}$`)

// bankForm is the new withdrawal bank account as typed.
type bankForm struct {
	BankName, BranchName, AccountNumber, HolderKana string
}

func (f *bankForm) Validate() web.FieldErrors {
	errs := web.FieldErrors{}
	for field, v := range map[string]string{"bank_name": f.BankName, "branch_name": f.BranchName, "holder_kana": f.HolderKana} {
		if msg := web.CheckText(v, true, 60); !msg.Empty() {
			errs[field] = msg
		}
	}
	f.AccountNumber = strings.ReplaceAll(norm.NFKC.String(strings.TrimSpace(f.AccountNumber)), "-", "")
	if !accountNumber.MatchString(f.AccountNumber) {
		errs["account_number"] = views.Message{Key: "ui.bank.error.account_number"}
	}
	return errs
}

func (h *Handler) bankForm(c echo.Context) error {
	return h.renderBank(c, http.StatusOK, nil, nil)
}

func (h *Handler) renderBank(c echo.Context, status int, values map[string]string, errs web.FieldErrors) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	m := views.BankModel{Values: values, Errors: errs}
	bank, err := h.DB.BankAccountOf(c.Request().Context(), customer.ID)
	switch {
	case err == nil:
		m.Current = bankLabel(bank)
	case !errors.Is(err, data.ErrNotFound):
		return err
	}
	return web.Render(c, status, views.BankPage(m))
}

func (h *Handler) bankSubmit(c echo.Context) error {
	f := bankForm{BankName: c.FormValue("bank_name"), BranchName: c.FormValue("branch_name"),
		AccountNumber: c.FormValue("account_number"), HolderKana: c.FormValue("holder_kana")}
	if errs := f.Validate(); len(errs) > 0 {
		values := map[string]string{}
		for k, v := range map[string]string{"bank_name": f.BankName, "branch_name": f.BranchName, "account_number": c.FormValue("account_number"), "holder_kana": f.HolderKana} {
			if web.CheckText(v, false, 60).Empty() {
				values[k] = v
			}
		}
		return h.renderBank(c, http.StatusUnprocessableEntity, values, errs)
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	b := &data.BankAccount{BankName: f.BankName, BranchName: f.BranchName, AccountType: "普通",
		AccountNumber: f.AccountNumber, HolderKana: f.HolderKana}
	err = h.MFA.ChangeBankAccount(c.Request().Context(), customer, b, web.Current(c).IDHash, c.RealIP())
	if errors.Is(err, mfa.ErrHolderNotCustomer) {
		values := map[string]string{"bank_name": f.BankName, "branch_name": f.BranchName,
			"account_number": f.AccountNumber, "holder_kana": f.HolderKana}
		return h.renderBank(c, http.StatusUnprocessableEntity, values, web.FieldErrors{"holder_kana": {Key: "ui.bank.error.holder_not_own"}})
	}
	if err != nil {
		return err
	}
	// One second factor approves one change.
	if err := h.DB.StepUpUsed(c.Request().Context(), web.Current(c).IDHash); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?notice=bank-changed")
}
