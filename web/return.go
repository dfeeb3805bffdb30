package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// The return cookie holds where a login goes once it completes, when
// something other than the customer's own visit started it (a relying
// party's sign-in, docs/operations.md): the login pages span several
// requests and a passkey script, so a cookie carries it rather than a
// parameter on each. Only a local path is ever stored or followed.
const returnCookie = "mfadesk_return"

func returnCookieName(secure bool) string {
	if secure {
		return "__Host-" + returnCookie
	}
	return returnCookie
}

// SetReturn makes the next completed login go to path (a local path,
// else nothing is set) within ttl.
func SetReturn(c echo.Context, path string, secure bool, ttl time.Duration) {
	if SafeNext(path, "") == "" {
		return
	}
	c.SetCookie(&http.Cookie{Name: returnCookieName(secure), Value: path, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// TakeReturn returns the path SetReturn stored ("" if none or not local)
// and clears it, so it is followed once.
func TakeReturn(c echo.Context, secure bool) string {
	ck, err := c.Cookie(returnCookieName(secure))
	if err != nil || ck.Value == "" {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: returnCookieName(secure), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	return SafeNext(ck.Value, "")
}
