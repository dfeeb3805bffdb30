package customer

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

var settingsNotices = map[string]string{
	"saved":        "ui.mfa.notice.saved",
	"totp-added":   "ui.mfa.notice.totp_added",
	"sms-added":    "ui.mfa.notice.sms_added",
	"totp-removed": "ui.mfa.notice.totp_removed",
	"sms-removed":  "ui.mfa.notice.sms_removed",
}

func (h *Handler) mfaSettings(c echo.Context) error {
	ctx := c.Request().Context()
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	factors, err := h.DB.ConfirmedFactors(ctx, customer.ID)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(ctx, customer)
	if err != nil {
		return err
	}
	remaining, err := h.DB.CountUnusedRecoveryCodes(ctx, customer.ID)
	if err != nil {
		return err
	}
	enrolOnly, err := h.mustEnrol(c)
	if err != nil {
		return err
	}
	m := views.MFASettingsModel{EnrolOnly: enrolOnly,
		EmailVerified: customer.HasValidEmail(), EmailFallback: plan.EmailFallback, RecoveryRemaining: remaining,
		CanChange: h.Sessions.FreshStepUp(c, "mfa", h.MFA.Config.StepUpWindow),
		Info:      settingsNotices[c.QueryParam("notice")],
	}
	if customer.Email != "" {
		m.Email = contact.MaskEmail(customer.Email)
	}
	passkeys, err := h.DB.PasskeysOf(ctx, customer.ID)
	if err != nil {
		return err
	}
	for _, p := range passkeys {
		m.Factors = append(m.Factors, views.FactorRow{ID: p.ID, FieldKey: "p" + strconv.FormatInt(p.ID, 10), Kind: "passkey",
			Name: p.Name, Added: p.CreatedAt, Login: p.UseLogin, Account: p.UseAccount, Withdrawal: p.UseWithdrawal})
	}
	for _, f := range factors {
		row := views.FactorRow{ID: f.ID, FieldKey: strconv.FormatInt(f.ID, 10), Kind: f.Kind, Login: f.UseLogin,
			Account: f.UseAccount, Withdrawal: f.UseWithdrawal}
		if f.Kind == data.FactorTOTP {
			m.HasTOTP = true
			row.Added = f.ConfirmedAt
		} else {
			m.HasSMS = true
			row.Phone = contact.MaskPhone(f.Phone)
		}
		m.Factors = append(m.Factors, row)
	}
	return web.Render(c, http.StatusOK, views.MFASettingsPage(m))
}

func (h *Handler) saveUses(c echo.Context) error {
	ctx := c.Request().Context()
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	factors, err := h.DB.ConfirmedFactors(ctx, customer.ID)
	if err != nil {
		return err
	}
	passkeys, err := h.DB.PasskeysOf(ctx, customer.ID)
	if err != nil {
		return err
	}
	uses := map[int64]data.Uses{}
	for _, f := range factors {
		uses[f.ID] = usesFromForm(c, strconv.FormatInt(f.ID, 10))
	}
	passkeyUses := map[int64]data.Uses{}
	for _, p := range passkeys {
		passkeyUses[p.ID] = usesFromForm(c, "p"+strconv.FormatInt(p.ID, 10))
	}
	if err := h.MFA.SetFactorUses(ctx, customer, uses, passkeyUses, c.RealIP()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/mfa?notice=saved")
}

func usesFromForm(c echo.Context, key string) data.Uses {
	return data.Uses{Login: c.FormValue("use_login_"+key) == "on", Account: c.FormValue("use_account_"+key) == "on",
		Withdrawal: c.FormValue("use_withdrawal_"+key) == "on"}
}

func formUses(c echo.Context) data.Uses {
	return data.Uses{Login: c.FormValue("use_login") == "on", Account: c.FormValue("use_account") == "on",
		Withdrawal: c.FormValue("use_withdrawal") == "on"}
}

func (h *Handler) totpStart(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	if err := h.MFA.StartTOTPEnrolment(c.Request().Context(), customer); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/mfa/totp")
}

func (h *Handler) totpEnrolForm(c echo.Context) error {
	return h.renderTOTPEnrol(c, http.StatusOK, nil)
}

func (h *Handler) renderTOTPEnrol(c echo.Context, status int, errs web.FieldErrors) error {
	ctx := c.Request().Context()
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	uri, secret, err := h.MFA.PendingTOTP(ctx, customer)
	if errors.Is(err, data.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, "/settings/mfa")
	}
	if err != nil {
		return err
	}
	factors, err := h.DB.ConfirmedFactors(ctx, customer.ID)
	if err != nil {
		return err
	}
	// The URI is the one the QR code encodes; otpauth is not a scheme templ
	// lets through unmarked, and it is built here, not from the request.
	m := views.TOTPEnrolModel{KeyGroups: groupsOf(secret, 4), AppLink: templ.SafeURL(uri), Errors: errs}
	for _, f := range factors {
		m.Replacing = m.Replacing || f.Kind == data.FactorTOTP
	}
	return web.Render(c, status, views.TOTPEnrolPage(m))
}

// groupsOf splits a key for reading aloud or typing: "JBSW Y3DP ...".
func groupsOf(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}

// totpQR serves the pending enrolment's QR code. It shows a secret, so it
// is never cached (the security headers set no-store on every page).
func (h *Handler) totpQR(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	uri, _, err := h.MFA.PendingTOTP(c.Request().Context(), customer)
	if err != nil {
		return err
	}
	png, err := mfa.QRCodePNG(uri, 240)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", png)
}

func (h *Handler) totpConfirm(c echo.Context) error {
	return h.confirmEnrolment(c, h.MFA.ConfirmTOTP, h.renderTOTPEnrol, "totp-added")
}

// confirmEnrolment is the shared last step of enrolling the app or SMS:
// the code and trading password checked by confirm, the form shown again
// with its errors by render, or on to the settings with notice.
func (h *Handler) confirmEnrolment(c echo.Context, confirm func(context.Context, mfa.EnrolInput) error,
	render func(echo.Context, int, web.FieldErrors) error, notice string) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	in := mfa.EnrolInput{Customer: customer, SessionHash: web.Current(c).IDHash, Code: c.FormValue("code"),
		TradingPassword: c.FormValue("trading_password"), Uses: formUses(c), ClientIP: c.RealIP()}
	if errs := enrolFormErrors(in); len(errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, errs)
	}
	err = confirm(c.Request().Context(), in)
	if errors.Is(err, mfa.ErrBusy) {
		return web.Busy(c)
	}
	if errors.Is(err, mfa.ErrLocked) {
		return h.lockedOut(c, customer)
	}
	if errs, status, ok := enrolErrors(err); ok {
		return render(c, status, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/mfa?notice="+notice)
}

func enrolFormErrors(in mfa.EnrolInput) web.FieldErrors {
	errs := web.FieldErrors{}
	if msg := web.CheckText(in.TradingPassword, true, maxPasswordLen); !msg.Empty() {
		errs["trading_password"] = msg
	}
	if msg := web.CheckText(in.Code, true, 64); !msg.Empty() {
		errs["code"] = msg
	}
	return errs
}

// enrolErrors turns a refused enrolment into messages on its fields.
func enrolErrors(err error) (web.FieldErrors, int, bool) {
	if errors.Is(err, mfa.ErrBadTradingPassword) {
		return web.FieldErrors{"trading_password": {Key: "ui.verify.error.trading_password"}}, http.StatusUnauthorized, true
	}
	if msg, status, ok := codeMessage(err); ok {
		return web.FieldErrors{"code": {Key: msg}}, status, true
	}
	return nil, 0, false
}

func (h *Handler) removeFactor(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		customer, err := h.customer(c)
		if err != nil {
			return err
		}
		if err := h.MFA.RemoveFactors(c.Request().Context(), customer, kind, web.Current(c).IDHash, c.RealIP()); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/settings/mfa?notice="+kind+"-removed")
	}
}

func (h *Handler) smsSend(c echo.Context) error {
	phone, err := contact.ParsePhone(c.FormValue("phone"))
	if err != nil {
		return &web.UserError{Status: http.StatusUnprocessableEntity, Title: "ui.mfa.phone_bad.title",
			Message: "ui.mfa.phone_bad.message"}
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.SendContactCode(c.Request().Context(), customer, web.Current(c).IDHash, mfa.PurposeEnrolSMS, "sms", phone)
	switch {
	case errors.Is(err, mfa.ErrResendTooSoon), errors.Is(err, mfa.ErrSendLimit):
		return errSendWait
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/mfa/sms")
}

// errSendWait answers a code to a new contact asked for too soon or too
// often.
var errSendWait = &web.UserError{Status: http.StatusTooManyRequests, Title: "ui.mfa.send_wait.title",
	Message: "ui.mfa.send_wait.message"}

func (h *Handler) smsEnrolForm(c echo.Context) error {
	return h.renderSMSEnrol(c, http.StatusOK, nil)
}

func (h *Handler) renderSMSEnrol(c echo.Context, status int, errs web.FieldErrors) error {
	ch, err := h.DB.LatestChallenge(c.Request().Context(), web.Current(c).IDHash, mfa.PurposeEnrolSMS)
	if errors.Is(err, data.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, "/settings/mfa")
	}
	if err != nil {
		return err
	}
	return web.Render(c, status, views.SMSEnrolPage(views.SMSEnrolModel{Phone: contact.MaskPhone(ch.Destination), Errors: errs}))
}

func (h *Handler) smsConfirm(c echo.Context) error {
	return h.confirmEnrolment(c, h.MFA.ConfirmSMS, h.renderSMSEnrol, "sms-added")
}

func (h *Handler) issueRecoveryCodes(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	codes, err := h.MFA.IssueRecoveryCodes(c.Request().Context(), customer, c.RealIP())
	if err != nil {
		return err
	}
	// Shown in the POST's answer, once; reloading does not show them again.
	return web.Render(c, http.StatusOK, views.RecoveryCodesPage(codes))
}
