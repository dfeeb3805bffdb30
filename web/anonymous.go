package web

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
)

// Anonymous server-side sessions exist only for a POST that must keep
// state before anyone is known: the challenge of a passkey login. Page
// views never make one (they get a pre-session), and these are bounded
// so an attacker cannot grow the database: one per browser, at most
// AnonymousPerAddress per client address block at once, each living
// AnonymousTTL and swept (see docs/operations.md).
const (
	// AnonymousTTL is how long an anonymous session lives, idle or not:
	// twice a passkey ceremony's five minutes.
	AnonymousTTL = 10 * time.Minute
	// AnonymousPerAddress is how many live anonymous sessions one client
	// address (an IPv6 /64) may hold on a site; a carrier's NAT shares an
	// address between many customers, hence not a handful.
	AnonymousPerAddress = 50
)

// ErrAnonymousLimit refuses a new anonymous session to an address that
// holds AnonymousPerAddress already.
var ErrAnonymousLimit = &UserError{
	Status:  http.StatusTooManyRequests,
	Title:   "ui.error.too_many.title",
	Message: "ui.error.too_many.message",
}

// Ensure returns the request's session, or starts an anonymous one for
// a POST that must keep state (a passkey ceremony). It keeps the
// pre-session's CSRF token, so the page's forms stay valid. Past the cap
// for the client's address it returns ErrAnonymousLimit.
func (m *Sessions) Ensure(c echo.Context) (*data.Session, error) {
	if s := Current(c); s != nil {
		return s, nil
	}
	token, s, err := m.storeAnonymous(c, 0, "", CSRFToken(c))
	if err != nil {
		return nil, err
	}
	m.attach(c, token, s)
	return s, nil
}

// storeAnonymous stores a new anonymous session under the per-address
// cap, with the CSRF token csrf when one is given (else a new one).
func (m *Sessions) storeAnonymous(c echo.Context, customerID int64, method, csrf string) (string, *data.Session, error) {
	now := m.Now()
	token, s, err := m.newSession(c, Principal{CustomerID: customerID}, data.LevelAnonymous, now)
	if err != nil {
		return "", nil, err
	}
	if csrf != "" {
		s.CSRFToken = csrf
	}
	s.Method = method
	s.ClientIP = addressBlock(s.ClientIP)
	created, err := m.Store.CreateAnonymousSession(c.Request().Context(), s, now.Add(-AnonymousTTL), AnonymousPerAddress)
	if err != nil {
		return "", nil, err
	}
	if !created {
		return "", nil, ErrAnonymousLimit
	}
	return token, s, nil
}

// addressBlock is what the per-address cap counts: an IPv4 address, or
// the /64 of an IPv6 one (one subscriber's usual allocation). An
// anonymous session's stored client address is this block; nothing reads
// it but the cap.
func addressBlock(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}

// StartAnonymous replaces the request's session with a new anonymous one
// that keeps state for a customer who is not logged in (a forgotten
// password's reset: customerID and the step in method). It is bounded
// like Ensure's and gets a new id at every step.
func (m *Sessions) StartAnonymous(c echo.Context, customerID int64, method string) (*data.Session, error) {
	token, s, err := m.storeAnonymous(c, customerID, method, "")
	if err != nil {
		return nil, err
	}
	if old := Current(c); old != nil {
		if err := m.Store.DeleteSession(c.Request().Context(), old.IDHash); err != nil {
			return nil, err
		}
	}
	m.attach(c, token, s)
	m.endPreSession(c)
	return s, nil
}
