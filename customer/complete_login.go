package customer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/web"
)

// deviceCookieAge is how long a browser is remembered for the
// new-device notice.
const deviceCookieAge = 400 * 24 * 60 * 60

// completeLogin finishes any login: a new fully logged-in session, the
// record and new-device notice, and where to go next (the passkey prompt
// in the phishing-resistant phase, else home).
func (h *Handler) completeLogin(c echo.Context, customer *data.Customer, method mfa.Method) (string, error) {
	if _, err := h.Sessions.Start(c, web.Principal{CustomerID: customer.ID}, data.LevelFull, string(method)); err != nil {
		return "", err
	}
	device, err := h.deviceHash(c)
	if err != nil {
		return "", err
	}
	if _, err := h.MFA.RecordLogin(c.Request().Context(), mfa.LoginDone{Customer: customer, DeviceHash: device,
		UserAgent: c.Request().UserAgent(), ClientIP: c.RealIP(), Method: method}); err != nil {
		return "", err
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

func (h *Handler) deviceCookieName() string {
	if h.Sessions.Secure {
		return "__Host-mfadesk_device"
	}
	return "mfadesk_device"
}

// deviceHash returns the hash of this browser's device cookie, giving it
// one first if it has none. Only the hash is stored.
func (h *Handler) deviceHash(c echo.Context) (string, error) {
	name := h.deviceCookieName()
	token := ""
	if ck, err := c.Cookie(name); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
		token = ck.Value
	} else {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		token = base64.RawURLEncoding.EncodeToString(b)
		c.SetCookie(&http.Cookie{Name: name, Value: token, Path: "/", MaxAge: deviceCookieAge,
			HttpOnly: true, Secure: h.Sessions.Secure, SameSite: http.SameSiteLaxMode})
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), nil
}
