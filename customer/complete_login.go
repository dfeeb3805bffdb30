package customer

import (
	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/web"
)

// completeLogin finishes any login: a new fully logged-in session, the
// record and new-device notice, and where to go next (the passkey prompt
// in the phishing-resistant phase, else home), unless a relying party's
// sign-in waits for it.
func (h *Handler) completeLogin(c echo.Context, customer *data.Customer, method mfa.Method) (string, error) {
	if _, err := h.Sessions.Start(c, web.Principal{CustomerID: customer.ID}, data.LevelFull, string(method)); err != nil {
		return "", err
	}
	device, err := h.device().Ensure(c)
	if err != nil {
		return "", err
	}
	if _, err := h.MFA.RecordLogin(c.Request().Context(), mfa.LoginDone{Customer: customer, DeviceHash: device,
		UserAgent: c.Request().UserAgent(), ClientIP: c.RealIP(), Method: method}); err != nil {
		return "", err
	}
	// A relying party's sign-in (idp/) waits for this login.
	if next := web.TakeReturn(c, h.Sessions.Secure); next != "" {
		return next, nil
	}
	plan, err := h.MFA.PlanLogin(c.Request().Context(), customer)
	if err != nil {
		return "", err
	}
	if plan.PromptPasskey {
		return "/passkey/prompt", nil
	}
	return "/home", nil
}

// device is the browser's device cookie (web.DeviceCookie).
func (h *Handler) device() web.DeviceCookie {
	if h.Sessions.Secure {
		return web.DeviceCookie{Name: "__Host-mfadesk_device", Secure: true}
	}
	return web.DeviceCookie{Name: "mfadesk_device"}
}
