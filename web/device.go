package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"
)

// deviceCookieAge is how long a browser is remembered.
const deviceCookieAge = 400 * 24 * 60 * 60

// DeviceCookie is a long-lived random cookie that names a browser. Only
// its hash is stored: for the new-device notice, and so a browser that
// completed a login to an account before is not held by the per-address
// password limit for it (docs/operations.md).
type DeviceCookie struct {
	Name   string
	Secure bool
}

// Presented returns the hash of the device cookie the browser sent, or ""
// when it sent none.
func (d DeviceCookie) Presented(c echo.Context) string {
	ck, err := c.Cookie(d.Name)
	if err != nil || len(ck.Value) < 32 || len(ck.Value) > 64 {
		return ""
	}
	return hashDeviceToken(ck.Value)
}

// Ensure returns the hash of the browser's device cookie, giving it one
// first if it has none.
func (d DeviceCookie) Ensure(c echo.Context) (string, error) {
	if hash := d.Presented(c); hash != "" {
		return hash, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: d.Name, Value: token, Path: "/", MaxAge: deviceCookieAge,
		HttpOnly: true, Secure: d.Secure, SameSite: http.SameSiteLaxMode})
	return hashDeviceToken(token), nil
}

func hashDeviceToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
