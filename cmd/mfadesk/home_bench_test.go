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
	"testing"

	"mfadesk/mfa"
	"mfadesk/views"
)

// BenchmarkHomePage measures the server's work for one authenticated page
// view: GET /home of a logged-in customer through the whole middleware
// chain, without the network.
func BenchmarkHomePage(b *testing.B) {
	app, clock := newBenchApp(b)
	cookies := benchLogin(b, app, clock)
	req := httptest.NewRequest(http.MethodGet, "/home", nil)
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	check := httptest.NewRecorder()
	app.Echo.ServeHTTP(check, req)
	if check.Code != http.StatusOK || !strings.Contains(check.Body.String(), `data-testid="welcome"`) {
		b.Fatalf("GET /home: %d %q", check.Code, check.Header().Get("Location"))
	}

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		app.Echo.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// newBenchApp is newTestApp without the HTTP server, for benchmarks: the
// app on a SQLite file in a temp dir, demo data seeded.
func newBenchApp(b *testing.B) (*App, *testClock) {
	cfg := Config{
		Env: "dev", Addr: "127.0.0.1:0", DB: filepath.Join(b.TempDir(), "mfadesk.db"),
		Origin: "http://localhost:8080", Delivery: "dev", SecretKey: mfa.DevSecretKey(), Demo: true,
		MFA: mfa.DefaultConfig(),
	}
	clock := &testClock{now: testStart}
	app, err := newApp(context.Background(), cfg, clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatalf("newApp: %v", err)
	}
	b.Cleanup(func() { app.Close() })
	if _, err := seedDemo(context.Background(), app.MFA); err != nil {
		b.Fatalf("seed: %v", err)
	}
	return app, clock
}

var benchCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// benchLogin logs demo-app in with password and authenticator code and
// returns the browser's cookies.
func benchLogin(b *testing.B, app *App, clock *testClock) map[string]*http.Cookie {
	cookies := map[string]*http.Cookie{}
	csrf := ""
	do := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		var body io.Reader
		if form != nil {
			form.Set("_csrf", csrf)
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequest(method, path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		app.Echo.ServeHTTP(rec, req)
		for _, ck := range rec.Result().Cookies() {
			cookies[ck.Name] = ck
		}
		if m := benchCSRF.FindStringSubmatch(rec.Body.String()); m != nil {
			csrf = m[1]
		}
		return rec
	}
	do(http.MethodGet, "/login", nil)
	if rec := do(http.MethodPost, "/login", url.Values{"login_id": {"demo-app"}, "password": {demoPassword}}); rec.Header().Get("Location") != "/login/verify" {
		b.Fatalf("password step: %d", rec.Code)
	}
	do(http.MethodGet, "/login/verify", nil)
	code, err := totpCodeForTest(demoTOTPSecret, clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	if rec := do(http.MethodPost, "/login/verify", url.Values{"code": {code}}); rec.Header().Get("Location") != "/home" {
		b.Fatalf("code step: %d", rec.Code)
	}
	return cookies
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
