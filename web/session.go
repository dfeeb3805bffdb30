// Package web is the HTTP plumbing both sites share: sessions, CSRF,
// security headers, error pages and rendering.
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
)

// SessionStore is the storage the session manager needs.
type SessionStore interface {
	SessionByHash(ctx context.Context, idHash string) (*data.Session, error)
	ReplaceSession(ctx context.Context, oldHash string, s *data.Session) error
	DeleteSession(ctx context.Context, idHash string) error
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	CreateAnonymousSession(ctx context.Context, s *data.Session, expiredBefore time.Time, perAddress int) (bool, error)
}

// Sessions manages one site's cookie sessions: the token lives only in the
// cookie, the database keeps its SHA-256.
type Sessions struct {
	Site     string // data.SiteCustomer or data.SiteConsole
	Store    SessionStore
	Now      func() time.Time
	Cookie   string // e.g. "__Host-mfadesk" outside dev
	Path     string
	Secure   bool
	Idle     time.Duration
	Absolute time.Duration
	Key      []byte // HMAC key of pre-session CSRF tokens (presession.go)
}

const sessionKey = "web.session"

// Load is middleware that attaches the request's live session, if any,
// else its pre-session (presession.go). Sessions past the idle or
// absolute limit are deleted here, on the server, whatever the cookie
// says.
func (m *Sessions) Load(next echo.HandlerFunc) echo.HandlerFunc {
	return m.loader(next, true)
}

// LoadQuiet is Load for requests a page makes by itself (a poll): they
// do not count as activity, so a page left open still ends its session
// when the idle limit passes.
func (m *Sessions) LoadQuiet(next echo.HandlerFunc) echo.HandlerFunc {
	return m.loader(next, false)
}

func (m *Sessions) loader(next echo.HandlerFunc, touch bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		s, err := m.load(c, touch)
		if err != nil {
			return err
		}
		if s != nil {
			c.Set(sessionKey, s)
		} else {
			m.loadPreSession(c)
		}
		return next(c)
	}
}

func (m *Sessions) load(c echo.Context, touch bool) (*data.Session, error) {
	ck, err := c.Cookie(m.Cookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return nil, nil
	}
	idHash := hashToken(ck.Value)
	s, err := m.Store.SessionByHash(c.Request().Context(), idHash)
	if errors.Is(err, data.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.Site != m.Site {
		return nil, nil // a customer session never opens the console, nor the reverse
	}
	now := m.Now()
	absolute := m.Absolute
	if s.Level == data.LevelAnonymous {
		absolute = AnonymousTTL
	}
	if now.Sub(s.LastSeenAt) > m.Idle || now.Sub(s.CreatedAt) > absolute {
		return nil, m.Store.DeleteSession(c.Request().Context(), idHash)
	}
	// The store records a touch only a minute after the last one; the
	// same check here saves the UPDATE, which otherwise queues for
	// SQLite's single writer on every request even when it changes
	// nothing (under a login burst those waits ran out: 500s).
	if touch && now.Sub(s.LastSeenAt) >= time.Minute {
		if err := m.Store.TouchSession(c.Request().Context(), idHash, now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Current returns the request's session or nil.
func Current(c echo.Context) *data.Session {
	s, _ := c.Get(sessionKey).(*data.Session)
	return s
}

// Principal is who a session belongs to: a customer or a staff member
// (zero for an anonymous visitor).
type Principal struct {
	CustomerID int64
	StaffID    int64
}

// Start replaces any current session with a new one at the given level
// (new id, new CSRF token). Every change of authentication level goes
// through here, so a session id never survives one.
func (m *Sessions) Start(c echo.Context, p Principal, level, method string) (*data.Session, error) {
	return m.start(c, p, level, method, "")
}

// StepUp records a second factor just passed for purpose: a new session
// id (docs/security.md S21) whose step-up is fresh for that purpose, and
// for the also purposes the same factor would have passed too.
func (m *Sessions) StepUp(c echo.Context, purpose string, also ...string) (*data.Session, error) {
	s := Current(c)
	if s == nil || s.Level != data.LevelFull {
		return nil, errors.New("step-up without a logged-in session")
	}
	purposes := strings.Join(append([]string{purpose}, also...), " ")
	return m.start(c, Principal{CustomerID: s.CustomerID, StaffID: s.StaffID}, s.Level, s.Method, purposes)
}

// FreshStepUp reports whether the session passed a second factor for
// purpose within window. Only the server's clock and record count.
func (m *Sessions) FreshStepUp(c echo.Context, purpose string, window time.Duration) bool {
	s := Current(c)
	return s != nil && s.Level == data.LevelFull && purpose != "" && slices.Contains(strings.Fields(s.StepUpPurpose), purpose) &&
		!s.SecondFactorAt.IsZero() && m.Now().Sub(s.SecondFactorAt) <= window
}

func (m *Sessions) start(c echo.Context, p Principal, level, method, stepUp string) (*data.Session, error) {
	now := m.Now()
	created := now
	var oldHash string
	if old := Current(c); old != nil {
		if old.CustomerID == p.CustomerID && old.StaffID == p.StaffID && old.Level != data.LevelAnonymous {
			created = old.CreatedAt // the absolute limit runs from the first login step
		}
		oldHash = old.IDHash
	}
	token, s, err := m.newSession(c, p, level, created)
	if err != nil {
		return nil, err
	}
	s.Method = method
	if level == data.LevelFull {
		s.SecondFactorAt = now
		s.StepUpPurpose = stepUp
	}
	if err := m.Store.ReplaceSession(c.Request().Context(), oldHash, s); err != nil {
		return nil, err
	}
	m.attach(c, token, s)
	m.endPreSession(c)
	return s, nil
}

// newSession is a session with a new id and CSRF token; it returns the
// cookie's token with it.
func (m *Sessions) newSession(c echo.Context, p Principal, level string, created time.Time) (string, *data.Session, error) {
	token, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	s := &data.Session{
		IDHash: hashToken(token), Site: m.Site, CustomerID: p.CustomerID, StaffID: p.StaffID, Level: level, CSRFToken: csrf,
		ClientIP: c.RealIP(), UserAgent: truncate(c.Request().UserAgent(), 256), CreatedAt: created, LastSeenAt: m.Now(),
	}
	return token, s, nil
}

// attach gives the browser the session's cookie and the request the session.
func (m *Sessions) attach(c echo.Context, token string, s *data.Session) {
	c.SetCookie(m.cookie(token, 0))
	c.Set(sessionKey, s)
}

// End deletes the current session on the server and clears the cookie.
func (m *Sessions) End(c echo.Context) error {
	if s := Current(c); s != nil {
		if err := m.Store.DeleteSession(c.Request().Context(), s.IDHash); err != nil {
			return err
		}
	}
	c.SetCookie(m.cookie("", -1))
	c.Set(sessionKey, nil)
	m.endPreSession(c)
	return nil
}

func (m *Sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: m.Cookie, Value: value, Path: m.Path, MaxAge: maxAge,
		HttpOnly: true, Secure: m.Secure, SameSite: http.SameSiteLaxMode,
	}
}

// randomToken is 256 bits from crypto/rand, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
