package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// Staff passkeys: the staff member's own page, the discoverable login on
// the login page and the passkey as the second step after the password.
// The ceremonies answer JSON for passkey.js, like the customer site's.

// passkeySetup is the policy's subject for a session that passed password
// and TOTP while passkeys are required and the staff member has none.
const passkeySetup = "passkey_setup"

// passkeyMessages are the ceremonies' refusals, with message keys.
var passkeyMessages = []struct {
	err    error
	status int
	msg    string
}{
	{mfa.ErrPasskeyCloned, http.StatusUnauthorized, "ui.staff_passkeys.error.cloned"},
	{mfa.ErrPasskeyInvalid, http.StatusUnauthorized, "ui.staff_passkeys.error.invalid"},
	{mfa.ErrNoCeremony, http.StatusUnauthorized, "ui.staff_passkeys.error.no_ceremony"},
	{mfa.ErrBadCredentials, http.StatusUnauthorized, "ui.staff_passkeys.error.password"},
	{mfa.ErrMalformedCode, http.StatusUnprocessableEntity, "ui.console.totp.malformed"},
	{mfa.ErrWrongCode, http.StatusUnauthorized, "ui.console.totp.wrong"},
	{mfa.ErrNoCode, http.StatusUnauthorized, "ui.console.totp.wrong"},
	{mfa.ErrMethodNotAllowed, http.StatusUnprocessableEntity, "ui.staff_passkeys.error.none"},
}

// passkeyFailure answers a refused ceremony; an unexpected error goes to
// the error handler.
func passkeyFailure(c echo.Context, err error) error {
	if errors.Is(err, mfa.ErrBusy) {
		return web.PasskeyBusy(c)
	}
	for _, pm := range passkeyMessages {
		if errors.Is(err, pm.err) {
			return web.PasskeyError(c, pm.status, pm.msg)
		}
	}
	return err
}

// ceremonyFailure answers a refused ceremony; a locked second step also
// ends the session, which has to start over after the cool-down.
func (h *Handler) ceremonyFailure(c echo.Context, err error) error {
	if errors.Is(err, mfa.ErrLocked) {
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return web.PasskeyError(c, http.StatusForbidden, "ui.console.totp.locked")
	}
	return passkeyFailure(c, err)
}

func passkeyOptions(c echo.Context, opts []byte, err error) error {
	if err != nil {
		return passkeyFailure(c, err)
	}
	return c.JSONBlob(http.StatusOK, opts)
}

// secondFactorFresh reports whether the session passed its second factor
// within support.StaffFreshWindow, so registering needs no TOTP code again.
func (h *Handler) secondFactorFresh(c echo.Context) bool {
	s := web.Current(c)
	now := h.Sessions.Now()
	switch {
	case s.Level == data.LevelFull:
		return !s.SecondFactorAt.IsZero() && now.Sub(s.SecondFactorAt) <= support.StaffFreshWindow
	case s.PasskeySetup():
		// Made right after the TOTP step, which came after this session's
		// first (password) step: the session's start bounds the TOTP's time.
		return now.Sub(s.CreatedAt) <= support.StaffFreshWindow
	}
	return false
}

var staffPasskeyNotices = map[string]string{
	"added":    "ui.staff_passkeys.notice.added",
	"removed":  "ui.staff_passkeys.notice.removed",
	"required": "ui.staff_passkeys.notice.required",
}

func (h *Handler) staffPasskeysPage(c echo.Context) error {
	st := staff(c)
	keys, err := h.DB.StaffPasskeysOf(c.Request().Context(), st.ID)
	if err != nil {
		return err
	}
	m := views.ConsolePasskeysModel{Fresh: h.secondFactorFresh(c), Setup: web.Current(c).PasskeySetup(),
		Info: staffPasskeyNotices[c.QueryParam("notice")]}
	for _, k := range keys {
		row := views.PasskeyRow{ID: k.ID, Name: k.Name, Created: k.CreatedAt, Cloned: k.Cloned}
		if k.LastUsedAt.Unix() > 0 {
			row.LastUsed = k.LastUsedAt
		}
		m.Passkeys = append(m.Passkeys, row)
	}
	return web.Render(c, http.StatusOK, views.ConsolePasskeysPage(m))
}

func (h *Handler) staffPasskeyRegisterOptions(c echo.Context) error {
	opts, err := h.Support.BeginStaffPasskeyRegistration(c.Request().Context(), staff(c), web.Current(c).IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) staffPasskeyRegister(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	name := c.FormValue("name")
	if msg := web.CheckText(name, true, 40); !msg.Empty() {
		return web.PasskeyError(c, http.StatusUnprocessableEntity, "ui.passkey.error.name", web.Text(c, msg.Key, msg.Args...))
	}
	st, s := staff(c), web.Current(c)
	err := h.Support.FinishStaffPasskeyRegistration(c.Request().Context(), support.StaffPasskeyRegistration{Staff: st,
		SessionHash: s.IDHash, Name: name, Password: c.FormValue("password"), Fresh: h.secondFactorFresh(c),
		TOTPCode: c.FormValue("code"), Response: body, ClientIP: c.RealIP()})
	if err != nil {
		return h.ceremonyFailure(c, err)
	}
	if s.PasskeySetup() {
		// The restricted session has done its one job: the staff member now
		// logs in with the passkey.
		if err := h.Sessions.End(c); err != nil {
			return err
		}
		return web.PasskeyDone(c, "/console/login?notice=passkey_added")
	}
	return web.PasskeyDone(c, "/console/account/passkeys?notice=added")
}

var (
	errStaffPasskeyNotFound = &web.UserError{Status: http.StatusNotFound, Title: "ui.staff_passkeys.not_found.title",
		Message: "ui.staff_passkeys.not_found.message"}
	errStaffPasskeyStale = &web.UserError{Status: http.StatusConflict, Title: "ui.staff_passkeys.stale.title",
		Message: "ui.staff_passkeys.stale.message"}
)

// staffPasskeyRemove removes one of the staff member's own passkeys, only
// within a fresh second factor, as registering needs one.
func (h *Handler) staffPasskeyRemove(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errStaffPasskeyNotFound
	}
	if !h.secondFactorFresh(c) {
		return errStaffPasskeyStale
	}
	err := h.Support.RemoveStaffPasskey(c.Request().Context(), staff(c), id, c.RealIP())
	if errors.Is(err, data.ErrNotFound) {
		return errStaffPasskeyNotFound
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/account/passkeys?notice=removed")
}

// staffPasskeyLoginOptions starts a login with a passkey alone: the
// visitor's anonymous console session holds the challenge.
func (h *Handler) staffPasskeyLoginOptions(c echo.Context) error {
	s, err := h.Sessions.Ensure(c)
	if errors.Is(err, web.ErrAnonymousLimit) {
		return web.PasskeyError(c, http.StatusTooManyRequests, web.ErrAnonymousLimit.Message)
	}
	if err != nil {
		return err
	}
	opts, err := h.Support.BeginStaffPasskeyLogin(c.Request().Context(), s.IDHash)
	return passkeyOptions(c, opts, err)
}

// staffPasskeyLogin finishes it: a passkey with user verification is
// multi-factor by itself, so the session is fully logged in.
func (h *Handler) staffPasskeyLogin(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	s := web.Current(c)
	if s == nil {
		return passkeyFailure(c, mfa.ErrNoCeremony)
	}
	st, err := h.Support.FinishStaffPasskeyLogin(c.Request().Context(), s.IDHash, body, c.RealIP())
	if err != nil {
		return h.ceremonyFailure(c, err)
	}
	return h.passkeyLoggedIn(c, st)
}

// staffPasskeyCheckOptions starts the passkey as the second step after
// the password.
func (h *Handler) staffPasskeyCheckOptions(c echo.Context) error {
	opts, err := h.Support.BeginStaffPasskeyCheck(c.Request().Context(), staff(c), web.Current(c).IDHash)
	return passkeyOptions(c, opts, err)
}

func (h *Handler) staffPasskeyCheck(c echo.Context) error {
	body, ok := web.CredentialField(c)
	if !ok {
		return web.PasskeyError(c, http.StatusBadRequest, "ui.passkey.error.unreadable")
	}
	st := staff(c)
	err := h.Support.FinishStaffPasskeyCheck(c.Request().Context(), st, web.Current(c).IDHash, body, c.RealIP())
	if err != nil {
		return h.ceremonyFailure(c, err)
	}
	return h.passkeyLoggedIn(c, st)
}

// passkeyLoggedIn starts the full session (a new id, docs/security.md S21); the
// login's audit event was written with the passkey's outcome.
func (h *Handler) passkeyLoggedIn(c echo.Context, st *data.Staff) error {
	if _, err := h.Sessions.Start(c, web.Principal{StaffID: st.ID}, data.LevelFull, string(mfa.MethodPasskey)); err != nil {
		return err
	}
	if err := h.rememberDevice(c, st); err != nil {
		return err
	}
	return web.PasskeyDone(c, "/console")
}
