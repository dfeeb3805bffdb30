package customer

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// passkeyResult is what passkey.js reads after a ceremony.
type passkeyResult struct {
	OK       bool   `json:"ok"`
	Redirect string `json:"redirect,omitempty"`
	Error    string `json:"error,omitempty"`
}

// maxCredentialJSON bounds the browser's answer; real ones are a few KB.
const maxCredentialJSON = 16 * 1024

func credentialField(c echo.Context) ([]byte, bool) {
	v := c.FormValue("credential")
	return []byte(v), v != "" && len(v) <= maxCredentialJSON
}

func passkeyFailure(c echo.Context, err error) error {
	if msg, status, ok := codeMessage(err); ok {
		return c.JSON(status, passkeyResult{Error: msg})
	}
	return err
}

// passkeyOptions answers the options JSON of a ceremony.
func passkeyOptions(c echo.Context, opts []byte, err error) error {
	if errors.Is(err, mfa.ErrMethodNotAllowed) {
		return c.JSON(http.StatusUnprocessableEntity, passkeyResult{Error: "登録されたパスキーがありません。"})
	}
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, opts)
}

// passkeyLoginOptions starts a login with a passkey alone: the visitor's
// anonymous session holds the challenge.
func (h *Handler) passkeyLoginOptions(c echo.Context) error {
	s, err := h.Sessions.Ensure(c)
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyLogin(c.Request().Context(), s.IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) passkeyLogin(c echo.Context) error {
	body, ok := credentialField(c)
	if !ok {
		return c.JSON(http.StatusBadRequest, passkeyResult{Error: "パスキーの応答を読み取れませんでした。"})
	}
	s := web.Current(c)
	customer, err := h.MFA.FinishPasskeyLogin(c.Request().Context(), s.IDHash, body, c.RealIP())
	if errors.Is(err, mfa.ErrLocked) {
		return c.JSON(http.StatusForbidden, passkeyResult{Error: "確認の誤りが続いたため、ログインを一時停止しています。お客様サポートへご連絡ください。"})
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	next, err := h.completeLogin(c, customer, mfa.MethodPasskey)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, passkeyResult{OK: true, Redirect: next})
}

// verifyPasskeyOptions starts a passkey check as the second factor after
// the password.
func (h *Handler) verifyPasskeyOptions(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyCheck(c.Request().Context(), customer, web.Current(c).IDHash, mfa.PurposeLogin, mfa.UseLogin)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) verifyPasskey(c echo.Context) error {
	body, ok := credentialField(c)
	if !ok {
		return c.JSON(http.StatusBadRequest, passkeyResult{Error: "パスキーの応答を読み取れませんでした。"})
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.Verify(c.Request().Context(), mfa.VerifyInput{Customer: customer, SessionHash: web.Current(c).IDHash,
		Purpose: mfa.PurposeLogin, Use: mfa.UseLogin, Method: mfa.MethodPasskey, Code: string(body), ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrLocked) {
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return c.JSON(http.StatusForbidden, passkeyResult{Error: "確認の誤りが続いたため、ログインを一時停止しています。"})
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	next, err := h.completeLogin(c, customer, mfa.MethodPasskey)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, passkeyResult{OK: true, Redirect: next})
}

func (h *Handler) stepUpPasskeyOptions(c echo.Context) error {
	st, err := h.loadStepUp(c, c.FormValue("op"), string(mfa.MethodPasskey))
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyCheck(c.Request().Context(), st.customer, web.Current(c).IDHash, mfa.StepUpPurpose(st.op.name), st.use)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) stepUpPasskey(c echo.Context) error {
	body, ok := credentialField(c)
	if !ok {
		return c.JSON(http.StatusBadRequest, passkeyResult{Error: "パスキーの応答を読み取れませんでした。"})
	}
	st, err := h.loadStepUp(c, c.FormValue("op"), string(mfa.MethodPasskey))
	if err != nil {
		return err
	}
	err = h.MFA.Verify(c.Request().Context(), mfa.VerifyInput{Customer: st.customer, SessionHash: web.Current(c).IDHash,
		Purpose: mfa.StepUpPurpose(st.op.name), Use: st.use, Method: mfa.MethodPasskey, Code: string(body), ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrLocked) {
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return c.JSON(http.StatusForbidden, passkeyResult{Error: "確認の誤りが続いたため、ログインを一時停止しています。"})
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	if _, err := h.Sessions.StepUp(c, st.op.name); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, passkeyResult{OK: true, Redirect: st.op.next})
}

var passkeyNotices = map[string]string{
	"added":   "パスキーを登録しました。次回から「パスキーでログイン」が使えます。",
	"removed": "パスキーを削除しました。",
}

func (h *Handler) passkeySettings(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	keys, err := h.DB.PasskeysOf(c.Request().Context(), customer.ID)
	if err != nil {
		return err
	}
	m := views.PasskeysModel{CanChange: h.Sessions.FreshStepUp(c, "mfa", h.MFA.Config.StepUpWindow),
		Info: passkeyNotices[c.QueryParam("notice")]}
	for _, k := range keys {
		row := views.PasskeyRow{ID: k.ID, Name: k.Name, Created: views.Date(k.CreatedAt), LastUsed: "まだ使っていません"}
		if k.LastUsedAt.Unix() > 0 {
			row.LastUsed = views.DateTime(k.LastUsedAt)
		}
		if k.Cloned {
			row.LastUsed += "（安全のため停止中）"
		}
		m.Passkeys = append(m.Passkeys, row)
	}
	return web.Render(c, http.StatusOK, views.PasskeysPage(m))
}

func (h *Handler) passkeyRegisterOptions(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	opts, err := h.MFA.BeginPasskeyRegistration(c.Request().Context(), customer, web.Current(c).IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) passkeyRegister(c echo.Context) error {
	body, ok := credentialField(c)
	if !ok {
		return c.JSON(http.StatusBadRequest, passkeyResult{Error: "パスキーの応答を読み取れませんでした。"})
	}
	name := c.FormValue("name")
	if msg := web.CheckText(name, true, 40); msg != "" {
		return c.JSON(http.StatusUnprocessableEntity, passkeyResult{Error: "パスキーの名前：" + msg})
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.FinishPasskeyRegistration(c.Request().Context(), mfa.PasskeyRegistration{Customer: customer,
		SessionHash: web.Current(c).IDHash, Name: name, TradingPassword: c.FormValue("trading_password"),
		Response: body, ClientIP: c.RealIP()})
	if errors.Is(err, mfa.ErrBusy) {
		return web.BusyJSON(c, passkeyResult{Error: web.BusyMessage})
	}
	if errors.Is(err, mfa.ErrLocked) {
		return c.JSON(http.StatusForbidden, passkeyResult{Error: "確認の誤りが続いたため、一時停止しています。"})
	}
	if err != nil {
		return passkeyFailure(c, err)
	}
	return c.JSON(http.StatusOK, passkeyResult{OK: true, Redirect: "/settings/passkeys?notice=added"})
}

func (h *Handler) passkeyRemove(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return &web.UserError{Status: http.StatusNotFound, Title: "パスキーが見つかりません", Message: "パスキーの一覧からやり直してください。"}
	}
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	err = h.MFA.RemovePasskey(c.Request().Context(), customer, id, web.Current(c).IDHash, c.RealIP())
	if errors.Is(err, data.ErrNotFound) {
		return &web.UserError{Status: http.StatusNotFound, Title: "パスキーが見つかりません", Message: "パスキーの一覧からやり直してください。"}
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/passkeys?notice=removed")
}

func (h *Handler) passkeyPrompt(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(c.Request().Context(), customer)
	if err != nil {
		return err
	}
	if !plan.PromptPasskey {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	cfg := h.MFA.Config
	return web.Render(c, http.StatusOK, views.PasskeyPromptPage(views.PasskeyPromptModel{
		RequiredFrom: cfg.PhishingResistantFrom, InterimUntil: cfg.InterimMethodsUntil,
		CanPostpone: plan.CanPostpone, Remaining: cfg.PasskeyPostpones - customer.PasskeyPromptsPostponed}))
}

func (h *Handler) passkeyPostpone(c echo.Context) error {
	customer, err := h.customer(c)
	if err != nil {
		return err
	}
	plan, err := h.MFA.PlanLogin(c.Request().Context(), customer)
	if err != nil {
		return err
	}
	if !plan.CanPostpone {
		return c.Redirect(http.StatusSeeOther, "/passkey/prompt")
	}
	if err := h.DB.PostponePasskeyPrompt(c.Request().Context(), customer.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/home")
}
