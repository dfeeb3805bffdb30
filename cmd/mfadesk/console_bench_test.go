package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"mfadesk/pgtest"
)

// BenchmarkConsolePage measures the server's work for one console page
// view: GET /console of a logged-in supervisor (the role with the most
// menu entries) through the whole middleware chain, without the network.
// Compare with BenchmarkHomePage, the customer's page.
func BenchmarkConsolePage(b *testing.B) {
	app, clock := newBenchApp(b)
	req := benchStaffLogin(b, app, clock, "supervisor").request("/console")
	check := httptest.NewRecorder()
	app.Echo.ServeHTTP(check, req)
	if check.Code != http.StatusOK || !strings.Contains(check.Body.String(), `href="/console/requests"`) {
		b.Fatalf("GET /console: %d %q", check.Code, check.Header().Get("Location"))
	}

	serveLoop(b, app, req)
}

// benchStaffLogin logs a demo staff member into the console with
// password and TOTP.
func benchStaffLogin(tb testing.TB, app *App, clock *testClock, login string) *benchBrowser {
	b := &benchBrowser{tb: tb, app: app, cookies: map[string]*http.Cookie{}}
	b.do(http.MethodGet, "/console/login", nil)
	if rec := b.do(http.MethodPost, "/console/login", url.Values{"login_id": {login}, "password": {demoStaffPassword}}); rec.Header().Get("Location") != "/console/login/totp" {
		tb.Fatalf("%s password step: %d %q", login, rec.Code, rec.Header().Get("Location"))
	}
	b.do(http.MethodGet, "/console/login/totp", nil)
	code, err := totpCodeForTest(demoTOTPSecret, clock.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if rec := b.do(http.MethodPost, "/console/login/totp", url.Values{"code": {code}}); rec.Header().Get("Location") != "/console" {
		tb.Fatalf("%s code step: %d %q", login, rec.Code, rec.Header().Get("Location"))
	}
	return b
}

// The benchmarks measure the server as it starts by default: the read
// cache on (its flag's default), so a page viewed twice is served from it.
func TestBenchAppHasTheServersDefaults(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the read cache is off on PostgreSQL")
	app, clock := newBenchApp(t)
	req := (&benchBrowser{cookies: benchLogin(t, app, clock)}).request("/home")
	for range 2 {
		rec := httptest.NewRecorder()
		app.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /home: %d", rec.Code)
		}
	}
	if hits, _ := app.DB.ReadCacheStats(); hits == 0 {
		t.Error("no read served from the read cache: the bench app does not run with the server's defaults")
	}
}
