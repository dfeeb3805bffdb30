package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// testSite is one site's session manager over a real SQLite file, behind a
// few routes that do what the customer and console handlers do with it.
type testSite struct {
	t   *testing.T
	db  *data.DB
	m   *Sessions
	e   *echo.Echo
	now *time.Time
}

var testStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// newTestDB opens a database whose clock is *now.
func newTestDB(t *testing.T, now *time.Time) *data.DB {
	t.Helper()
	db, err := data.Open(context.Background(), pgtest.DSN(t, filepath.Join(t.TempDir(), "web.db")), func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newSite serves one site; production sets the cookie as outside dev.
func newSite(t *testing.T, db *data.DB, now *time.Time, siteName string, production bool) *testSite {
	m := &Sessions{Site: siteName, Store: db, Now: func() time.Time { return *now }, Cookie: "mfadesk", Path: "/",
		Idle: 30 * time.Minute, Absolute: 12 * time.Hour, Key: []byte("test pre-session key, 32 bytes.")}
	if production {
		m.Cookie, m.Secure = "__Host-mfadesk", true
	}
	s := &testSite{t: t, db: db, m: m, e: echo.New(), now: now}
	s.e.HTTPErrorHandler = func(err error, c echo.Context) {
		if errors.Is(err, ErrCSRF) {
			c.String(http.StatusForbidden, "csrf")
			return
		}
		c.String(http.StatusInternalServerError, err.Error())
	}
	s.e.Use(m.Load)
	s.e.GET("/page", func(c echo.Context) error {
		if err := m.PreSession(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, CSRFToken(c))
	})
	s.e.GET("/whoami", func(c echo.Context) error {
		cur := Current(c)
		if cur == nil {
			return c.String(http.StatusOK, "none")
		}
		return c.String(http.StatusOK, fmt.Sprintf("%s %d", cur.Level, cur.CustomerID))
	})
	s.e.GET("/fresh", func(c echo.Context) error {
		return c.String(http.StatusOK, fmt.Sprint(m.FreshStepUp(c, c.QueryParam("purpose"), 5*time.Minute)))
	})
	// /login and /stepup change the level; in the real sites they sit
	// behind CSRF too, left out here so the tests can set up a state.
	s.e.POST("/login", func(c echo.Context) error {
		var id int64
		fmt.Sscan(c.QueryParam("customer"), &id)
		if _, err := m.Start(c, Principal{CustomerID: id}, c.QueryParam("level"), "totp"); err != nil {
			return err
		}
		return c.String(http.StatusOK, CSRFToken(c))
	})
	s.e.POST("/stepup", func(c echo.Context) error {
		if _, err := m.StepUp(c, c.QueryParam("purpose"), c.QueryParams()["also"]...); err != nil {
			return err
		}
		return c.String(http.StatusOK, CSRFToken(c))
	})
	s.e.POST("/logout", func(c echo.Context) error { return m.End(c) })
	s.e.Match([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}, "/form",
		func(c echo.Context) error { return c.String(http.StatusOK, "done") }, CSRF)
	return s
}

// customer stores a customer for sessions to belong to.
func (s *testSite) customer(login string) int64 {
	s.t.Helper()
	var id int64
	err := s.db.InTx(context.Background(), func(tx *data.Tx) (err error) {
		id, err = tx.CreateCustomer(context.Background(), &data.Customer{AccountNumber: login, LoginID: login,
			NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ", BirthDate: "1960-01-01", EmailStatus: "none", PasswordHash: "x", TradingPasswordHash: "x"})
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

// testBrowser keeps cookies as a browser would for one host, and shows the
// Set-Cookie headers of its last response.
type testBrowser struct {
	cookies map[string]*http.Cookie
	set     []*http.Cookie
}

func newBrowser() *testBrowser { return &testBrowser{cookies: map[string]*http.Cookie{}} }

// do sends a request to s; form is the body of a POST, header extra headers.
func (b *testBrowser) do(s *testSite, method, target string, form url.Values, header map[string]string) (int, string) {
	s.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, ck := range b.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	s.e.ServeHTTP(rec, req)
	b.set = rec.Result().Cookies()
	for _, ck := range b.set {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(b.cookies, ck.Name)
		} else {
			b.cookies[ck.Name] = ck
		}
	}
	return rec.Code, rec.Body.String()
}

// get and post are do without extra headers.
func (b *testBrowser) get(s *testSite, target string) string {
	s.t.Helper()
	code, body := b.do(s, http.MethodGet, target, nil, nil)
	if code != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", target, code, body)
	}
	return body
}

func (b *testBrowser) post(s *testSite, target string) string {
	s.t.Helper()
	code, body := b.do(s, http.MethodPost, target, url.Values{}, nil)
	if code != http.StatusOK {
		s.t.Fatalf("POST %s: %d %s", target, code, body)
	}
	return body
}

// login gives b a session of customer id at level and returns its CSRF token.
func (b *testBrowser) login(s *testSite, id int64, level string) string {
	return b.post(s, fmt.Sprintf("/login?customer=%d&level=%s", id, level))
}
