package main

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// cookieStore is one browser's cookies, lighter than net/http/cookiejar,
// whose per-request domain and path matching cost the client CPU taken
// from the server on the same machine. The tool talks to one loopback
// server, so a cookie is kept by name as Set-Cookie left it and sent
// back on every request; domain, path and Secure (which __Host- names
// carry) are not checked. Several browsers of one demo session share a
// store, hence the lock.
type cookieStore struct {
	mu     sync.Mutex
	values map[string]string
	header string // the Cookie header, rebuilt on each change
}

func newCookieStore() *cookieStore { return &cookieStore{values: map[string]string{}} }

// cookieHeader is the Cookie header to send, "" for none.
func (s *cookieStore) cookieHeader() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.header
}

// update applies a response's Set-Cookie lines: a cookie with an empty
// value, Max-Age ≤ 0 or an Expires in the past is deleted.
func (s *cookieStore) update(setCookies []string) {
	if len(setCookies) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, line := range setCookies {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue // a browser ignores it too
		}
		if c.Value == "" || c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(s.values, c.Name)
		} else {
			s.values[c.Name] = c.Value
		}
	}
	pairs := make([]string, 0, len(s.values))
	for name, value := range s.values {
		pairs = append(pairs, name+"="+value)
	}
	slices.Sort(pairs) // a stable header, whatever the map's order
	s.header = strings.Join(pairs, "; ")
}
