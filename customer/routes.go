package customer

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/web"
)

// Register puts the customer site's routes on e. Who may reach what is
// decided here, by route set, not inside handlers.
func (h *Handler) Register(e *echo.Echo) {
	public := web.NewRoutes(e, h.Sessions.Load, web.CSRF)
	public.GET("/", h.root)
	public.GET("/login", h.loginForm)
	public.POST("/login", h.loginSubmit)
	// A temporary access pass from support: login ID, password and the pass.
	public.GET("/login/temp-pass", h.tempPassForm)
	public.POST("/login/temp-pass", h.tempPassSubmit)
	// A possession link from the support desk: no login, the customer may
	// be locked out.
	// A letter's code, typed by the customer (static: before /verify/:token).
	public.GET("/verify/post", h.postForm)
	public.POST("/verify/post", h.postSubmit)
	public.GET("/verify/:token", h.linkForm)
	public.POST("/verify/:token", h.linkAnswer)
	// A passkey registration link from the support desk, after an identity
	// check: it registers a passkey for the link's customer and logs in.
	public.GET("/passkey/setup/:token", h.passkeyLinkForm)
	public.POST("/passkey/setup/:token/options", h.passkeyLinkOptions)
	public.POST("/passkey/setup/:token", h.passkeyLinkRegister)
	// パスワードをお忘れの方: each handler checks its step of the reset
	// session itself (docs/security.md S63).
	public.GET("/login/forgot", h.forgotForm)
	public.POST("/login/forgot", h.forgotSubmit)
	public.GET("/login/forgot/verify", h.forgotVerifyForm)
	public.POST("/login/forgot/verify", h.forgotVerifySubmit)
	public.POST("/login/forgot/resend", h.forgotResend)
	public.POST("/login/forgot/verify/passkey/options", h.forgotPasskeyOptions)
	public.POST("/login/forgot/verify/passkey", h.forgotPasskey)
	public.GET("/login/forgot/password", h.forgotPasswordForm)
	public.POST("/login/forgot/password", h.forgotPasswordSubmit)
	// The password-setting code support gave (docs/security.md S64).
	public.GET("/login/set-password", h.setPasswordForm)
	public.POST("/login/set-password", h.setPasswordSubmit)

	// A session that passed only the password reaches these and nothing else.
	pending := public.With(requireLevel(data.LevelPassword))
	pending.GET("/login/verify", h.verifyForm)
	pending.POST("/login/verify", h.verifySubmit)
	pending.POST("/login/method", h.methodSubmit)
	pending.POST("/login/resend", h.resendSubmit)

	// A session that logged in with a temporary pass, or of a customer
	// support reset, reaches only enrolment until a factor is enrolled.
	loggedIn := public.With(requireLevel(data.LevelFull), h.requireEnrolled, h.rememberLanguage)
	loggedIn.GET("/home", h.home)
	h.registerAccountRoutes(loggedIn)

	// Step-up: a fresh second factor for one operation.
	loggedIn.GET("/stepup", h.stepUpForm)
	loggedIn.POST("/stepup", h.stepUpSubmit)
	loggedIn.POST("/stepup/send", h.stepUpSend)
	loggedIn.POST("/stepup/method", h.stepUpMethod)

	// 多要素認証設定: anyone logged in sees it; every change needs a fresh
	// second factor (docs/security.md S26, S27).
	loggedIn.GET("/settings/mfa", h.mfaSettings)
	mfaChange := loggedIn.With(h.requireStepUp("mfa"))
	mfaChange.POST("/settings/mfa/uses", h.saveUses)
	mfaChange.POST("/settings/mfa/totp/start", h.totpStart)
	mfaChange.GET("/settings/mfa/totp", h.totpEnrolForm)
	mfaChange.GET("/settings/mfa/totp/qr.png", h.totpQR)
	mfaChange.POST("/settings/mfa/totp/confirm", h.totpConfirm)
	mfaChange.POST("/settings/mfa/totp/remove", h.removeFactor(data.FactorTOTP))
	mfaChange.POST("/settings/mfa/sms/send", h.smsSend)
	// The code to the new number was sent after a fresh step-up and is bound
	// to this session; confirming it needs the code and trading password.
	loggedIn.GET("/settings/mfa/sms", h.smsEnrolForm)
	loggedIn.POST("/settings/mfa/sms/confirm", h.smsConfirm)
	mfaChange.POST("/settings/mfa/sms/remove", h.removeFactor(data.FactorSMS))
	mfaChange.POST("/settings/mfa/recovery", h.issueRecoveryCodes)

	// 登録情報の照会・変更: a step-up when the customer's settings ask for
	// one; changing a contact always needs a fresh one (docs/security.md S11).
	account := loggedIn.With(h.requireAccountStepUp)
	account.GET("/account", h.account)
	contactChange := loggedIn.With(h.requireStepUp("account"))
	contactChange.POST("/account/email", h.contactSend(mfa.ContactEmail))
	contactChange.POST("/account/phone", h.contactSend(mfa.ContactPhone))
	loggedIn.GET("/account/email/confirm", h.contactConfirmForm(mfa.ContactEmail))
	loggedIn.GET("/account/phone/confirm", h.contactConfirmForm(mfa.ContactPhone))
	loggedIn.POST("/account/email/confirm", h.contactConfirm(mfa.ContactEmail))
	loggedIn.POST("/account/phone/confirm", h.contactConfirm(mfa.ContactPhone))

	// 出金先口座の変更: always a fresh second factor, whatever the settings.
	bank := loggedIn.With(h.requireStepUp("bank"))
	bank.GET("/account/bank", h.bankForm)
	bank.POST("/account/bank", h.bankSubmit)

	// Passkeys: log in with one alone, or use one as the second factor or
	// step-up; register and remove them after a fresh second factor.
	public.POST("/login/passkey/options", h.passkeyLoginOptions)
	public.POST("/login/passkey", h.passkeyLogin)
	pending.POST("/login/verify/passkey/options", h.verifyPasskeyOptions)
	pending.POST("/login/verify/passkey", h.verifyPasskey)
	loggedIn.POST("/stepup/passkey/options", h.stepUpPasskeyOptions)
	loggedIn.POST("/stepup/passkey", h.stepUpPasskey)
	loggedIn.GET("/settings/passkeys", h.passkeySettings)
	mfaChange.POST("/settings/passkeys/options", h.passkeyRegisterOptions)
	mfaChange.POST("/settings/passkeys", h.passkeyRegister)
	mfaChange.POST("/settings/passkeys/:id/remove", h.passkeyRemove)
	loggedIn.GET("/passkey/prompt", h.passkeyPrompt)
	loggedIn.POST("/passkey/prompt/postpone", h.passkeyPostpone)

	// 出金指示: the step-up is bound to one withdrawal (amount and account).
	loggedIn.GET("/withdrawal", h.withdrawalForm)
	loggedIn.POST("/withdrawal", h.withdrawalSubmit)
	approved := loggedIn.With(h.requireWithdrawalStepUp)
	approved.GET("/withdrawal/:id/confirm", h.withdrawalConfirmForm)
	approved.POST("/withdrawal/:id/confirm", h.withdrawalConfirm)

	anySession := public.With(requireLevel(data.LevelPassword, data.LevelFull))
	anySession.POST("/logout", h.logout)

	if h.DevDelivery {
		dev := web.NewRoutes(e)
		dev.GET("/dev/outbox", h.devOutbox)
		dev.GET("/dev/outbox.json", h.devOutboxJSON)
	}
}

// requireLevel lets a request through only when its session is at one of
// the levels; others are sent where they can go on.
func requireLevel(levels ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			s := web.Current(c)
			level := data.LevelAnonymous
			if s != nil {
				level = s.Level
			}
			for _, l := range levels {
				if l == level {
					return next(c)
				}
			}
			if level == data.LevelPassword {
				return c.Redirect(http.StatusSeeOther, "/login/verify")
			}
			return c.Redirect(http.StatusSeeOther, "/login")
		}
	}
}

func (h *Handler) root(c echo.Context) error {
	if s := web.Current(c); s != nil && s.Level == data.LevelFull {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
