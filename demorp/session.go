package demorp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// The demo's own sessions live in memory, keyed by a random cookie: the
// cookie carries nothing but that id, and a restart logs everyone out.
const (
	cookieName  = "demo_rp"
	sessionLife = time.Hour
	// pendingLife bounds how long a redirect to the provider may take to
	// come back; an older state is refused.
	pendingLife = 10 * time.Minute
)

// session is one browser's visit to the demo.
type session struct {
	id   string
	csrf string
	// expires is reset on every use.
	expires time.Time
	// pending is the sign-in (or step-up) the browser was sent off to do.
	pending *pending
	// login is set once an ID token was verified.
	login *login
	// stepUp and problem are the outcome of the last round trip, shown once.
	stepUp, problem string
}

// pending is what a callback must match: the state sent, the nonce the
// ID token must echo and the PKCE verifier of the challenge sent.
type pending struct {
	state, nonce, verifier string
	stepUp                 bool
	started                time.Time
}

// login is the verified sign-in.
type login struct {
	rawIDToken string
	claims     Claims
}

// sessions is the store. jtis remembers the logout tokens already acted
// on, so a replayed one does nothing new.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	jtis map[string]time.Time
	now  func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{byID: map[string]*session{}, jtis: map[string]time.Time{}, now: now}
}

// randomToken is 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// get returns the request's live session, or nil.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.byID[c.Value]
	if sess == nil || !s.now().Before(sess.expires) {
		delete(s.byID, c.Value)
		return nil
	}
	sess.expires = s.now().Add(sessionLife)
	return sess
}

// ensure returns the request's session, starting one (and setting its
// cookie) when there is none.
func (s *sessions) ensure(w http.ResponseWriter, r *http.Request, secure bool) *session {
	if sess := s.get(r); sess != nil {
		return sess
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, old := range s.byID {
		if !now.Before(old.expires) {
			delete(s.byID, id)
		}
	}
	sess := &session{id: randomToken(), csrf: randomToken(), expires: now.Add(sessionLife)}
	s.byID[sess.id] = sess
	// Lax: the provider's redirect back to the callback is a top-level
	// GET from another site, which must carry the cookie; a cross-site
	// POST must not.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.id, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode})
	return sess
}

// update runs fn on sess under the store's lock.
func (s *sessions) update(sess *session, fn func(*session)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(sess)
}

// read copies sess under the store's lock.
func (s *sessions) read(sess *session) session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *sess
}

// end drops one session.
func (s *sessions) end(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, sess.id)
}

// endFor ends every session signed in with that provider session (sid),
// or for that subject when the logout token names no sid. It reports how
// many ended; a jti seen before ends nothing.
func (s *sessions) endFor(jti, sid, sub string, expires time.Time) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for j, exp := range s.jtis {
		if now.After(exp) {
			delete(s.jtis, j)
		}
	}
	if _, seen := s.jtis[jti]; seen {
		return 0, false
	}
	s.jtis[jti] = expires
	n := 0
	for id, sess := range s.byID {
		if sess.login == nil {
			continue
		}
		c := sess.login.claims
		if (sid != "" && c.Sid == sid) || (sid == "" && c.Subject == sub) {
			delete(s.byID, id)
			n++
		}
	}
	return n, true
}

// checkCSRF compares a form's token with the session's in constant time.
func checkCSRF(sess session, r *http.Request) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}
