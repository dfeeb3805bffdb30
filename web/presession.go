package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// A pre-session is how an anonymous visitor's forms get a CSRF token
// without a database row: a random value in its own cookie, and the
// token derived from it with HMAC under Sessions.Key. Only someone who
// holds the cookie can present the matching token, as with a server-side
// session, yet a page view writes nothing (see docs/operations.md). The
// server-side session starts when a POST needs state: a password
// accepted, or a passkey ceremony begun.

const preCSRFKey = "web.pre_csrf"

// preValueLen is the length of a pre-session value: 32 random bytes,
// base64url without padding.
const preValueLen = 43

// errNoKey stops a site wired without a pre-session key from serving
// forms nobody could submit.
var errNoKey = errors.New("web: Sessions.Key is not set")

// PreSession gives an anonymous visitor a pre-session, so a page's forms
// carry a CSRF token; a visitor with a session or a pre-session keeps
// theirs. It writes nothing to the database.
func (m *Sessions) PreSession(c echo.Context) error {
	if CSRFToken(c) != "" {
		return nil
	}
	if len(m.Key) == 0 {
		return errNoKey
	}
	value, err := randomToken()
	if err != nil {
		return err
	}
	c.SetCookie(m.preCookie(value, 0))
	c.Set(preCSRFKey, m.preToken(value))
	return nil
}

// loadPreSession attaches the token of the request's pre-session cookie,
// if it has a well-formed one.
func (m *Sessions) loadPreSession(c echo.Context) {
	ck, err := c.Cookie(m.preCookieName())
	if err != nil || len(ck.Value) != preValueLen || len(m.Key) == 0 {
		return
	}
	if _, err := base64.RawURLEncoding.DecodeString(ck.Value); err != nil {
		return
	}
	c.Set(preCSRFKey, m.preToken(ck.Value))
}

// endPreSession clears the pre-session once a session takes over, so a
// token issued before login is never valid again.
func (m *Sessions) endPreSession(c echo.Context) {
	if _, err := c.Cookie(m.preCookieName()); err == nil {
		c.SetCookie(m.preCookie("", -1))
	}
	c.Set(preCSRFKey, "")
}

// preToken is the CSRF token of a pre-session value, bound to the site
// so a console pre-session's token never passes on the customer site.
func (m *Sessions) preToken(value string) string {
	mac := hmac.New(sha256.New, m.Key)
	mac.Write([]byte("pre-session csrf\x00" + m.Site + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// preCookieName follows the session cookie's, so it carries the same
// __Host- prefix outside dev.
func (m *Sessions) preCookieName() string { return m.Cookie + "_pre" }

func (m *Sessions) preCookie(value string, maxAge int) *http.Cookie {
	ck := m.cookie(value, maxAge)
	ck.Name = m.preCookieName()
	return ck
}

// CSRFToken is the token the request's forms must carry: its session's,
// else its pre-session's, else "".
func CSRFToken(c echo.Context) string {
	if s := Current(c); s != nil {
		return s.CSRFToken
	}
	t, _ := c.Get(preCSRFKey).(string)
	return t
}
