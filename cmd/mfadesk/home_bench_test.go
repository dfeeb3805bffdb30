package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"mfadesk/pgtest"
	"mfadesk/views"
)

// BenchmarkHomePage measures the server's work for one authenticated page
// view: GET /home of a logged-in customer through the whole middleware
// chain, without the network.
func BenchmarkHomePage(b *testing.B) {
	app, clock := newBenchApp(b)
	cookies := benchLogin(b, app, clock)
	req := (&benchBrowser{cookies: cookies}).request("/home")
	check := httptest.NewRecorder()
	app.Echo.ServeHTTP(check, req)
	if check.Code != http.StatusOK || !strings.Contains(check.Body.String(), `data-testid="welcome"`) {
		b.Fatalf("GET /home: %d %q", check.Code, check.Header().Get("Location"))
	}

	serveLoop(b, app, req)
}

// serveLoop serves req over and over, and reports beside the time the
// process's CPU per request (cpu-ns/op: user and system time from
// getrusage): on a shared machine the time per request measures the
// other tenants too, the CPU much less.
func serveLoop(b *testing.B, app *App, req *http.Request) {
	b.ReportAllocs()
	start := processCPU()
	b.ResetTimer()
	for b.Loop() {
		app.Echo.ServeHTTP(httptest.NewRecorder(), req)
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// newBenchApp is the server as `mfadesk --db <temp file>` starts it, for
// benchmarks: every other setting is its flag's default (the read cache
// among them), demo customers and staff seeded, no HTTP server.
func newBenchApp(tb testing.TB) (*App, *testClock) {
	cfg, err := parseConfig([]string{"--db", pgtest.DSN(tb, filepath.Join(tb.TempDir(), "mfadesk.db"))}, func(string) string { return "" }, io.Discard)
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	clock := &testClock{now: testStart}
	app, err := newApp(context.Background(), cfg, clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatalf("newApp: %v", err)
	}
	tb.Cleanup(func() { app.Close() })
	if _, err := seedDemo(context.Background(), app.MFA); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	if _, err := seedDemoStaff(context.Background(), app); err != nil {
		tb.Fatalf("seed staff: %v", err)
	}
	return app, clock
}

var benchCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// benchBrowser is one browser's cookies and last CSRF token, sending
// requests straight to the app's handler.
type benchBrowser struct {
	tb      testing.TB
	app     *App
	cookies map[string]*http.Cookie
	csrf    string
}

func (b *benchBrowser) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		form.Set("_csrf", b.csrf)
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range b.cookies {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	b.app.Echo.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		b.cookies[ck.Name] = ck
	}
	if m := benchCSRF.FindStringSubmatch(rec.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return rec
}

// request is a GET of path carrying the browser's cookies, to replay.
func (b *benchBrowser) request(path string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, ck := range b.cookies {
		req.AddCookie(ck)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req
}

// benchLogin logs demo-app in with password and authenticator code and
// returns the browser's cookies.
func benchLogin(tb testing.TB, app *App, clock *testClock) map[string]*http.Cookie {
	b := &benchBrowser{tb: tb, app: app, cookies: map[string]*http.Cookie{}}
	b.do(http.MethodGet, "/login", nil)
	if rec := b.do(http.MethodPost, "/login", url.Values{"login_id": {"demo-app"}, "password": {demoPassword}}); rec.Header().Get("Location") != "/login/verify" {
		tb.Fatalf("password step: %d", rec.Code)
	}
	b.do(http.MethodGet, "/login/verify", nil)
	code, err := totpCodeForTest(demoTOTPSecret, clock.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if rec := b.do(http.MethodPost, "/login/verify", url.Values{"code": {code}}); rec.Header().Get("Location") != "/home" {
		tb.Fatalf("code step: %d", rec.Code)
	}
	return b.cookies
}

// BenchmarkHomeView renders the home page alone, as web.Render does for
// a logged-in customer: the templates and their text without the
// database and the middleware.
func BenchmarkHomeView(b *testing.B) {
	catalog, err := views.LoadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	ctx := views.WithPage(context.Background(), views.Page{Lang: views.LangJA, Catalog: catalog, Path: "/home",
		CSRF: "token", LoggedIn: true})
	home := views.HomePage(views.HomeModel{Name: "山田 太郎", AccountNumber: "1234567"})
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := home.Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
}
